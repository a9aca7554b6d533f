// The job snapshot the API returns and SSE pushes: the contract's fields plus what the drawer shows.
import type { Db } from "../db/open.js";
import { surfaceView, type SurfaceView } from "../stages/index.js";
import { smartView, type SmartView } from "../smart/view.js";
import { guardLimitsFrom } from "../stage-kit/temperature-guard.js";
import { storedNewDrive } from "./stored-new-drive.js";
import type { NewDriveVerdict } from "../smart/new-drive.js";
import { badBlocksOf, getJob, getStages, jobEvents, logTailOf, type JobRow, type StageRow } from "./repo.js";

export interface StageSnapshot {
  name: string;
  status: string;
  percent: number;
  errorText: string | null;
  bbPhase: number | null;
  bbPhasePct: number | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobSnapshot {
  id: number;
  driveId: number;
  hostId: number;
  batchId: string | null;
  restartOf: number | null;
  status: string;
  percent: number;
  etaSeconds: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
  createdBy: string | null;
  errorText: string | null;
  badBlocks: number[];
  badBlockCount: number;
  options: unknown;
  stages: StageSnapshot[];
  surface: SurfaceView | null;
  temperatureC: number | null;
  /** The temperature guard's limits for this job (pause at, continue at), °C. */
  temperatureLimits: { pauseAtC: number; resumeAtC: number };
  /** SMART before/after table and verdict; rows are empty for a drive without readable SMART. */
  smart: SmartView;
  /** Precheck's "is it really new?" verdict; null before precheck judged the drive. */
  newDrive: NewDriveVerdict | null;
  notes: { at: string; kind: string; text: string }[];
  logTail: string[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function temperatureLimits(optionsJson: string): { pauseAtC: number; resumeAtC: number } {
  const l = guardLimitsFrom(JSON.parse(optionsJson));
  return { pauseAtC: l.limitC, resumeAtC: l.resumeC };
}

export function stageSnapshot(s: Pick<StageRow, "name" | "status" | "percent" | "error_text" | "bb_phase" | "bb_phase_pct" | "started_at" | "finished_at">): StageSnapshot {
  return {
    name: s.name,
    status: s.status,
    percent: round2(s.percent),
    errorText: s.error_text,
    bbPhase: s.bb_phase,
    bbPhasePct: s.bb_phase_pct === null ? null : round2(s.bb_phase_pct),
    startedAt: s.started_at,
    finishedAt: s.finished_at,
  };
}

/** The job's own row as the API shows it (what the dashboard's row needs comes from here too). */
export function jobHead(job: JobRow) {
  return {
    id: job.id,
    driveId: job.drive_id,
    hostId: job.host_id,
    batchId: job.batch_id,
    restartOf: job.restart_of,
    status: job.status,
    percent: job.status === "passed" ? 100 : round2(job.percent),
    etaSeconds: job.eta_seconds,
    startedAt: job.started_at,
    finishedAt: job.finished_at,
    createdAt: job.created_at,
    createdBy: job.created_by,
    errorText: job.error_text,
    badBlockCount: job.bad_block_count,
  };
}

function snapshotOf(db: Db, job: JobRow): JobSnapshot {
  const stages = getStages(db, job.id);
  const surfaceStage = stages.find((s) => s.name === "surface_validate");
  const drive = db.prepare("SELECT size_bytes, temperature_c FROM drives WHERE id = ?").get(job.drive_id) as
    | { size_bytes: number; temperature_c: number | null }
    | undefined;
  return {
    ...jobHead(job),
    badBlocks: badBlocksOf(db, job.id),
    options: JSON.parse(job.options_json),
    stages: stages.map(stageSnapshot),
    surface: surfaceStage ? surfaceView(surfaceStage, drive?.size_bytes ?? 0, job.options_json) : null,
    temperatureC: drive?.temperature_c ?? null,
    temperatureLimits: temperatureLimits(job.options_json),
    smart: smartView(db, job.id),
    newDrive: storedNewDrive(db, job.id),
    notes: jobEvents(db, job.id),
    logTail: logTailOf(db, job.id),
  };
}

export function jobSnapshot(db: Db, id: number): JobSnapshot | undefined {
  const job = getJob(db, id);
  return job && snapshotOf(db, job);
}
