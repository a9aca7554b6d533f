// SQLite is the queue: jobs and stages are claimed and ended with compare-and-set updates.
import type { Db } from "../db/open.js";
import { nowIso } from "../db/time.js";
import type { StageName } from "../stage-kit/plan.js";
import type { JobRecord, StageRecord } from "../stage-kit/rows.js";
import type { ProgressRecord } from "../stage-kit/types.js";
import {
  ACTIVE_JOB_STATUSES, STAGE_STATUSES, STAGE_TRANSITIONS, STARTED_JOB_STATUSES, isTerminal, sourcesOf, sqlList, type JobStatus, type StageStatus,
} from "../status.js";

export interface JobRow extends JobRecord {
  status: JobStatus;
  batch_id: string | null;
  restart_of: number | null;
  stages_json: string;
  percent: number;
  eta_seconds: number | null;
  started_at: string | null;
  finished_at: string | null;
  error_text: string | null;
  bad_block_count: number;
  cancel_requested: number;
  created_by: string | null;
  created_at: string;
}

export interface StageRow extends StageRecord {
  status: StageStatus;
}

export interface NewJob {
  driveId: number;
  hostId: number;
  devicePath: string;
  /** The confirmed drive's identity (remote/launch-script.ts DeviceIdentity); required for a surface test. */
  deviceIdentity?: object | null;
  stages: StageName[];
  options: object;
  createdBy: string;
  batchId: string;
  restartOf?: number | null;
}

/** Inserts jobs and their stages in one transaction. The partial unique index refuses a second active job per drive. */
export function insertJobs(db: Db, jobs: NewJob[]): number[] {
  const insJob = db.prepare(
    `INSERT INTO jobs (drive_id, host_id, batch_id, restart_of, stages_json, options_json, device_path, created_by, device_identity)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insStage = db.prepare("INSERT INTO stages (job_id, seq, name) VALUES (?, ?, ?)");
  return db
    .transaction(() =>
      jobs.map((j) => {
        const id = Number(
          insJob.run(j.driveId, j.hostId, j.batchId, j.restartOf ?? null, JSON.stringify(j.stages),
            JSON.stringify(j.options), j.devicePath, j.createdBy, j.deviceIdentity ? JSON.stringify(j.deviceIdentity) : null).lastInsertRowid,
        );
        j.stages.forEach((name, seq) => insStage.run(id, seq, name));
        return id;
      }),
    )
    .immediate();
}

export function getJob(db: Db, id: number): JobRow | undefined {
  return db.prepare("SELECT * FROM jobs WHERE id = ?").get(id) as JobRow | undefined;
}

export function getStages(db: Db, jobId: number): StageRow[] {
  return db.prepare("SELECT * FROM stages WHERE job_id = ? ORDER BY seq").all(jobId) as StageRow[];
}

export function activeJobForDrive(db: Db, driveId: number): JobRow | undefined {
  return db
    .prepare(`SELECT * FROM jobs WHERE drive_id = ? AND status IN (${sqlList(ACTIVE_JOB_STATUSES)})`)
    .get(driveId) as JobRow | undefined;
}

export function countRunningOnHost(db: Db, hostId: number): number {
  return db
    .prepare(`SELECT count(*) FROM jobs WHERE host_id = ? AND status IN (${sqlList(STARTED_JOB_STATUSES)})`)
    .pluck()
    .get(hostId) as number;
}

export function jobsInStatus(db: Db, statuses: readonly JobStatus[]): JobRow[] {
  const marks = statuses.map(() => "?").join(",");
  return db.prepare(`SELECT * FROM jobs WHERE status IN (${marks}) ORDER BY id`).all(...statuses) as JobRow[];
}

/**
 * Compare-and-set a job's status: succeeds only from a status the transition table allows,
 * so a terminal record is written exactly once. Returns whether this call made the change.
 */
export function transitionJob(
  db: Db,
  id: number,
  to: JobStatus,
  fields: { errorText?: string | null; now?: number; onlyFrom?: readonly JobStatus[] } = {},
): boolean {
  const from = sourcesOf(to).filter((s) => !fields.onlyFrom || fields.onlyFrom.includes(s));
  const now = nowIso(fields.now);
  const terminal = isTerminal(to);
  const res = db
    .prepare(
      `UPDATE jobs SET status = ?,
              started_at = CASE WHEN ? = 'running' THEN coalesce(started_at, ?) ELSE started_at END,
              finished_at = CASE WHEN ? THEN ? ELSE finished_at END,
              error_text = CASE WHEN ? THEN ? ELSE error_text END,
              eta_seconds = CASE WHEN ? THEN NULL ELSE eta_seconds END,
              percent = CASE WHEN ? = 'passed' THEN 100 ELSE percent END
        WHERE id = ? AND status IN (${from.map(() => "?").join(",")})`,
    )
    .run(to, to, now, terminal ? 1 : 0, now, fields.errorText !== undefined ? 1 : 0, fields.errorText ?? null,
      terminal ? 1 : 0, to, id, ...from);
  return res.changes === 1;
}

/** Compare-and-set a stage's status along the stage table. */
export function transitionStage(
  db: Db,
  stageId: number,
  to: StageStatus,
  fields: { errorText?: string | null; percent?: number; now?: number } = {},
): boolean {
  const from = STAGE_STATUSES.filter((s) => STAGE_TRANSITIONS[s].includes(to));
  const now = nowIso(fields.now);
  const res = db
    .prepare(
      `UPDATE stages SET status = ?,
              started_at = CASE WHEN ? = 'running' THEN coalesce(started_at, ?) ELSE started_at END,
              finished_at = CASE WHEN ? <> 'running' THEN ? ELSE finished_at END,
              error_text = coalesce(?, error_text),
              percent = coalesce(?, percent)
        WHERE id = ? AND status IN (${from.map(() => "?").join(",")})`,
    )
    .run(to, to, now, to, now, fields.errorText ?? null, fields.percent ?? null, stageId, ...from);
  return res.changes === 1;
}

/** Ends every stage of the job still in one of `from`, each along the stage table (transitionStage). */
export function endOpenStages(db: Db, jobId: number, from: readonly StageStatus[], to: StageStatus, fields: { errorText?: string; now?: number } = {}): void {
  for (const s of getStages(db, jobId)) if (from.includes(s.status)) transitionStage(db, s.id, to, fields);
}

/** Records a run's job dir and token before its launch: a lost launch answer is re-read from there. */
export function setStageRun(db: Db, stageId: number, remoteDir: string, runToken: string): void {
  db.prepare("UPDATE stages SET remote_dir = ?, run_token = ?, pgid = NULL WHERE id = ?").run(remoteDir, runToken, stageId);
}

/** The launch answered: the run's process group (its wrapper's pid). */
export function setStagePgid(db: Db, stageId: number, pgid: number | null): void {
  db.prepare("UPDATE stages SET pgid = ? WHERE id = ?").run(pgid, stageId);
}

/** What an active job is doing about a problem (a cancel still pending); the terminal verdict replaces it. */
export function setActiveJobErrorText(db: Db, jobId: number, text: string): void {
  db.prepare(`UPDATE jobs SET error_text = ? WHERE id = ? AND status IN (${sqlList(ACTIVE_JOB_STATUSES)})`).run(text, jobId);
}

export function setStageDetail(db: Db, stageId: number, detail: object): void {
  db.prepare("UPDATE stages SET detail_json = ? WHERE id = ?").run(JSON.stringify(detail), stageId);
}

export function setJobProgress(db: Db, jobId: number, percent: number, etaSeconds: number | null): void {
  db.prepare("UPDATE jobs SET percent = max(percent, ?), eta_seconds = ? WHERE id = ?").run(percent, etaSeconds, jobId);
}

export function requestCancel(db: Db, jobId: number): void {
  db.prepare("UPDATE jobs SET cancel_requested = 1 WHERE id = ?").run(jobId);
}

export function addJobEvent(db: Db, jobId: number, kind: string, text: string): void {
  db.prepare("INSERT INTO job_events (job_id, kind, text) VALUES (?, ?, ?)").run(jobId, kind, text);
}

export function jobEvents(db: Db, jobId: number, limit = 50): { at: string; kind: string; text: string }[] {
  return (
    db
      .prepare("SELECT at, kind, text FROM job_events WHERE job_id = ? ORDER BY id DESC LIMIT ?")
      .all(jobId, limit) as { at: string; kind: string; text: string }[]
  ).reverse();
}

export function badBlocksOf(db: Db, jobId: number): number[] {
  return db.prepare("SELECT block FROM bad_blocks WHERE job_id = ? ORDER BY block").pluck().all(jobId) as number[];
}

/** Replaces the job's bad-block list (pinned to the true blocks after the test) and its count, together. */
export function replaceBadBlocks(db: Db, jobId: number, blocks: readonly number[]): void {
  db.transaction(() => {
    db.prepare("DELETE FROM bad_blocks WHERE job_id = ?").run(jobId);
    const ins = db.prepare("INSERT OR IGNORE INTO bad_blocks (job_id, block) VALUES (?, ?)");
    for (const b of blocks) ins.run(jobId, b);
    db.prepare("UPDATE jobs SET bad_block_count = (SELECT count(*) FROM bad_blocks WHERE job_id = ?) WHERE id = ?").run(jobId, jobId);
  }).immediate();
}

export function logTailOf(db: Db, jobId: number): string[] {
  const raw = db.prepare("SELECT lines FROM job_log_tail WHERE job_id = ?").pluck().get(jobId) as string | undefined;
  return raw ? (JSON.parse(raw) as string[]) : [];
}

/** A stage's progress record with the job's weighted percent and ETA, for one transaction. */
export interface ProgressCommit extends ProgressRecord {
  jobId: number;
  stageId: number;
  jobPercent: number;
  etaSeconds: number | null;
}

/** Offset, parser state, progress fields and new bad blocks commit together, or not at all. */
export function commitProgress(db: Db, c: ProgressCommit): void {
  db.transaction(() => {
    db.prepare(
      `UPDATE stages SET log_offset = ?, bb_offset = ?, parser_state = ?, bb_phase = ?, bb_phase_pct = ?,
              percent = max(percent, ?) WHERE id = ? AND log_offset <= ?`,
    ).run(c.logOffset, c.bbOffset, c.parserState, c.bbPhase, c.bbPhasePct, c.stagePercent, c.stageId, c.logOffset);
    const ins = db.prepare("INSERT OR IGNORE INTO bad_blocks (job_id, block) VALUES (?, ?)");
    for (const b of c.newBadBlocks) ins.run(c.jobId, b);
    db.prepare(
      `UPDATE jobs SET percent = max(percent, ?), eta_seconds = ?,
              bad_block_count = (SELECT count(*) FROM bad_blocks WHERE job_id = ?) WHERE id = ?`,
    ).run(c.jobPercent, c.etaSeconds, c.jobId, c.jobId);
    if (c.logTail) {
      db.prepare(
        "INSERT INTO job_log_tail (job_id, lines) VALUES (?, ?) ON CONFLICT(job_id) DO UPDATE SET lines = excluded.lines",
      ).run(c.jobId, JSON.stringify(c.logTail));
    }
  }).immediate();
}

/** Starts the next run of a resumed stage: the plan is saved and the per-run columns start afresh. */
export function setStageResume(db: Db, stageId: number, resume: object): void {
  db.prepare(
    `UPDATE stages SET resume_json = ?, remote_dir = NULL, pgid = NULL, run_token = NULL, log_offset = 0, bb_offset = 0,
            parser_state = NULL WHERE id = ?`,
  ).run(JSON.stringify(resume), stageId);
}

export function getStage(db: Db, stageId: number): StageRow | undefined {
  return db.prepare("SELECT * FROM stages WHERE id = ?").get(stageId) as StageRow | undefined;
}

/** Milliseconds the job spent paused for temperature (an open pause counts up to `now`). */
export function pausedMs(db: Db, jobId: number, now: number): number {
  const rows = db
    .prepare("SELECT at, kind FROM job_events WHERE job_id = ? AND kind IN ('paused', 'resumed-temp') ORDER BY id")
    .all(jobId) as { at: string; kind: string }[];
  let total = 0;
  let since: number | null = null;
  for (const r of rows) {
    if (r.kind === "paused" && since === null) since = Date.parse(r.at);
    if (r.kind === "resumed-temp" && since !== null) {
      total += Date.parse(r.at) - since;
      since = null;
    }
  }
  return since === null ? total : total + Math.max(0, now - since);
}
