// Job and stage status machines, written down as transition tables (one test per row).

export const JOB_STATUSES = ["queued", "running", "paused", "passed", "failed", "cancelled", "unknown"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Not ended: the drive is taken (one active job per drive). */
export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ["queued", "running", "paused"];
/** Active and past the queue: a process of the job may live on its host. */
export const STARTED_JOB_STATUSES: readonly JobStatus[] = ["running", "paused"];
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ["passed", "failed", "cancelled", "unknown"];

/** from → allowed next statuses. Terminal statuses have no way out: a terminal record is written once. */
export const JOB_TRANSITIONS: Record<JobStatus, readonly JobStatus[]> = {
  queued: ["running", "cancelled"],
  running: ["paused", "passed", "failed", "cancelled", "unknown"],
  paused: ["running", "failed", "cancelled", "unknown"],
  passed: [],
  failed: [],
  cancelled: [],
  unknown: [],
};

export const STAGE_STATUSES = ["pending", "running", "passed", "failed", "skipped", "cancelled", "unknown"] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

export const STAGE_TRANSITIONS: Record<StageStatus, readonly StageStatus[]> = {
  pending: ["running", "skipped", "cancelled", "unknown"],
  // A stage may find at run time that it cannot apply (no SMART on this device): running → skipped.
  running: ["passed", "failed", "skipped", "cancelled", "unknown"],
  passed: [],
  failed: [],
  skipped: [],
  cancelled: [],
  unknown: [],
};

/** Not ended: still to run (pending) or running. */
export const OPEN_STAGE_STATUSES: readonly StageStatus[] = ["pending", "running"];
/** Ended without a pass: the job cannot pass. */
export const FAILING_STAGE_STATUSES: readonly StageStatus[] = ["failed", "cancelled", "unknown"];

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

export function canTransitionStage(from: StageStatus, to: StageStatus): boolean {
  return STAGE_TRANSITIONS[from].includes(to);
}

/** Takes any string (a status read back from SQL or JSON): only the table's terminal ones are. */
export function isTerminal(status: string): boolean {
  return (TERMINAL_JOB_STATUSES as readonly string[]).includes(status);
}

export function isActive(status: string): boolean {
  return (ACTIVE_JOB_STATUSES as readonly string[]).includes(status);
}

/** A table of statuses as the inside of an SQL `IN (…)`: `'queued', 'running', 'paused'`. */
export function sqlList(statuses: readonly (JobStatus | StageStatus)[]): string {
  return statuses.map((s) => `'${s}'`).join(", ");
}

/** The SQL list of statuses a job may move to `to` from, for compare-and-set updates. */
export function sourcesOf(to: JobStatus): JobStatus[] {
  return JOB_STATUSES.filter((from) => canTransition(from, to));
}
