// Job and stage status machines, written down as transition tables (one test per row).

export const JOB_STATUSES = ["queued", "running", "paused", "passed", "failed", "cancelled", "unknown"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ["queued", "running", "paused"];
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

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

export function canTransitionStage(from: StageStatus, to: StageStatus): boolean {
  return STAGE_TRANSITIONS[from].includes(to);
}

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_JOB_STATUSES.includes(status);
}

/** The SQL list of statuses a job may move to `to` from, for compare-and-set updates. */
export function sourcesOf(to: JobStatus): JobStatus[] {
  return JOB_STATUSES.filter((from) => canTransition(from, to));
}
