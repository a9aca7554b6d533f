// The burn-in report of one job, as plain data: built from the job snapshot, the drive and host rows,
// the job's notes and its SMART readings. Pure: no database, no clock of its own (pass `now`).
import type { JobSnapshot } from "../jobs/snapshot.js";
import type { DriveRow } from "../drives/repo.js";
import type { HostRow } from "../hosts/repo.js";
import type { SmartSnapshot } from "../smart/model.js";
import type { SmartChange } from "../smart/compare.js";
import { chooseBlockSize, DEFAULT_BLOCK_SIZE, DEFAULT_BLOCKS_AT_ONCE } from "../badblocks/command.js";
import { DEFAULT_PATTERNS } from "../badblocks/phases.js";
import type { NewDriveVerdict } from "../smart/new-drive.js";
import type { DriveSpeedComparison } from "../jobs/batch-speed.js";
import type { SpeedProfile } from "../surface/speed.js";

export interface ReportStage {
  name: string;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationSeconds: number | null;
  errorText: string | null;
}

export interface SmartReading {
  takenAt: string;
  temperatureC: number | null;
  healthPassed: boolean | null;
  powerOnHours: number | null;
}

export interface ReportSmart {
  before: SmartReading | null;
  after: SmartReading | null;
  /** The comparison's verdict, when both readings exist. */
  verdict: { status: string; text: string } | null;
  changes: SmartChange[];
}

export interface JobReport {
  reportVersion: 1;
  generatedAt: string;
  jobId: number;
  batchId: string | null;
  restartOf: number | null;
  createdBy: string | null;
  createdAt: string;
  drive: {
    id: number; model: string | null; serial: string | null; wwn: string | null; capacityBytes: number | null;
    firmware: string | null; devName: string | null; path: string | null; transport: string | null; rotational: boolean | null;
  };
  host: { id: number; name: string | null; address: string | null };
  verdict: { status: string; errorText: string | null };
  startedAt: string | null;
  finishedAt: string | null;
  durationSeconds: number | null;
  stages: ReportStage[];
  badBlocks: { count: number; blocks: number[] };
  badblocksOptions: {
    blockSize: number | null; blockSizeChosen: "operator" | "auto"; blocksAtOnce: number;
    patterns: string[]; maxBadBlocks: number | null;
  } | null;
  temperature: { minC: number; maxC: number } | null;
  notes: { at: string; kind: string; text: string }[];
  counts: { reattached: number; lostContact: number; paused: number; resumed: number };
  smart: ReportSmart | null;
  /** Precheck's "is it really new?" verdict. */
  newDrive: NewDriveVerdict | null;
  /** Surface speed per pattern and region, and how it compares with the batch's same-model drives. */
  speed: { profile: SpeedProfile | null; comparison: DriveSpeedComparison | null };
}

export interface ReportInput {
  job: JobSnapshot;
  drive: DriveRow | undefined;
  host: HostRow | undefined;
  /** Every note of the job, oldest first (the snapshot keeps only the newest 50). */
  notes: { at: string; kind: string; text: string }[];
  smart: {
    before: { takenAt: string; snapshot: SmartSnapshot } | null;
    after: { takenAt: string; snapshot: SmartSnapshot } | null;
    /** Temperatures of every kept reading (before, after, samples). */
    temperatures: number[];
    verdict: { status: string; text: string; changes: SmartChange[] } | null;
  };
  newDrive: NewDriveVerdict | null;
  speed: JobReport["speed"];
  now: number;
}

export function secondsBetween(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  const s = (Date.parse(to) - Date.parse(from)) / 1000;
  return Number.isFinite(s) && s >= 0 ? Math.round(s) : null;
}

function reading(r: { takenAt: string; snapshot: SmartSnapshot } | null): SmartReading | null {
  if (!r) return null;
  const s = r.snapshot;
  return { takenAt: r.takenAt, temperatureC: s.temperatureC, healthPassed: s.healthPassed, powerOnHours: s.powerOnHours };
}

interface Options { blockSize?: number; blocksAtOnce?: number; patterns?: string[]; maxBadBlocks?: number }

function badblocksOptions(job: JobSnapshot, sizeBytes: number | null): JobReport["badblocksOptions"] {
  if (!job.stages.some((s) => s.name === "surface_validate")) return null;
  const o = (job.options ?? {}) as Options;
  let auto: number | null = null;
  if (o.blockSize === undefined) {
    try {
      auto = sizeBytes ? chooseBlockSize(sizeBytes) : DEFAULT_BLOCK_SIZE;
    } catch {
      auto = null;
    }
  }
  return {
    blockSize: o.blockSize ?? auto,
    blockSizeChosen: o.blockSize === undefined ? "auto" : "operator",
    blocksAtOnce: o.blocksAtOnce ?? DEFAULT_BLOCKS_AT_ONCE,
    patterns: o.patterns ?? job.surface?.patterns ?? [...DEFAULT_PATTERNS],
    maxBadBlocks: o.maxBadBlocks ?? null,
  };
}

function counts(notes: ReportInput["notes"]): JobReport["counts"] {
  const n = (p: (x: ReportInput["notes"][number]) => boolean) => notes.filter(p).length;
  return {
    reattached: n((x) => x.kind === "reattach"),
    lostContact: n((x) => x.kind === "contact" && /^lost contact/i.test(x.text)),
    paused: n((x) => /\bpaus(ed|ing)\b/i.test(x.text) && x.kind !== "ended"),
    resumed: n((x) => /\bresum(ed|ing)\b/i.test(x.text) && x.kind !== "ended"),
  };
}

export function buildReport(input: ReportInput): JobReport {
  const { job, drive, host, smart } = input;
  const hasSmart = smart.before !== null || smart.after !== null;
  const temps = smart.temperatures.filter((t) => Number.isFinite(t));
  return {
    reportVersion: 1,
    generatedAt: new Date(input.now).toISOString(),
    jobId: job.id,
    batchId: job.batchId,
    restartOf: job.restartOf,
    createdBy: job.createdBy,
    createdAt: job.createdAt,
    drive: {
      id: job.driveId,
      model: drive?.model ?? null,
      serial: drive?.serial ?? null,
      wwn: drive?.wwn ?? null,
      capacityBytes: drive?.size_bytes ?? null,
      firmware: drive?.firmware ?? null,
      devName: drive?.dev_name ?? null,
      path: drive?.path ?? null,
      transport: drive?.transport ?? null,
      rotational: drive ? drive.rotational === 1 : null,
    },
    host: { id: job.hostId, name: host?.name ?? null, address: host?.address ?? null },
    verdict: { status: job.status, errorText: job.errorText },
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    durationSeconds: secondsBetween(job.startedAt, job.finishedAt),
    stages: job.stages.map((s) => ({
      name: s.name,
      status: s.status,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
      durationSeconds: secondsBetween(s.startedAt, s.finishedAt),
      errorText: s.errorText,
    })),
    badBlocks: { count: job.badBlocks.length, blocks: job.badBlocks },
    badblocksOptions: badblocksOptions(job, drive?.size_bytes ?? null),
    temperature: temps.length ? { minC: Math.min(...temps), maxC: Math.max(...temps) } : null,
    notes: input.notes,
    counts: counts(input.notes),
    smart: hasSmart
      ? {
          before: reading(smart.before),
          after: reading(smart.after),
          verdict: smart.verdict ? { status: smart.verdict.status, text: smart.verdict.text } : null,
          changes: smart.verdict?.changes ?? [],
        }
      : null,
    newDrive: input.newDrive,
    speed: input.speed,
  };
}
