// The small contract every stage implements. A stage gets its host's port and a recorder (what it
// writes down about its job, implemented by jobs/recorder.ts): it never touches the database itself.
// Add a stage: a file in stages/ (or its own folder, like surface/) exporting a StageImpl, one line
// in stages/index.ts, its name in plan.ts and in the stages table's CHECK (a migration).
import type { Logger } from "../log.js";
import type { DriveRow, DriveView } from "../drives/repo.js";
import type { HostRow } from "../hosts/repo.js";
import type { HostPort } from "../hosts/verbs.js";
import type { SmartSnapshot } from "../smart/model.js";
import type { StoredSnapshot } from "../smart/store.js";
import type { StageName } from "./plan.js";
import type { JobRecord, StageRecord } from "./rows.js";

/** Progress of a surface run, committed together (offsets, parser state, percent, new bad blocks, log tail). */
export interface ProgressRecord {
  logOffset: number;
  bbOffset: number;
  parserState: string;
  bbPhase: number | null;
  bbPhasePct: number | null;
  stagePercent: number;
  newBadBlocks: number[];
  logTail: string[] | null;
}

/** What a stage writes down about its job and reads back; one per running stage. */
export interface StageRecorder {
  /** A note on the job's timeline (job_events). */
  note(kind: string, text: string): void;
  /** Pushes the job's current snapshot to the UI. */
  publish(): void;
  /** An attention message (stuck job), at most once per `key`. */
  attention(reason: "stuck-job", key: string, detail: string): void;
  /** The stage's own percent (a SMART self-test's), with the job's weighted percent and ETA. */
  percent(pct: number): void;
  /** What the stage keeps on its row for the drawer and the report (detail_json). */
  detail(): object | null;
  setDetail(detail: object): void;
  /** The stage row and the drive row as committed now. */
  stage(): StageRecord;
  drive(): DriveRow | undefined;
  /** Re-reads these kernel devices on the job's host; the drives found there. */
  rescan(devNames: string[]): Promise<DriveView[]>;
  /** The drive woke from standby: its SMART is readable. */
  smartAwake(): void;
  /** The drive's temperature as just read. */
  temperature(c: number): void;
  /** Keeps a SMART reading of the job; the newest "before" one. */
  saveSmart(kind: "before" | "after", snapshot: SmartSnapshot, raw: unknown): void;
  smartBefore(): StoredSnapshot | null;
  /** A run's job dir and token, recorded before its launch; then its process group. */
  recordRun(dir: string, token: string): Promise<void>;
  recordPgid(pgid: number | null): Promise<void>;
  /** Saves a resume plan and starts the stage's next run afresh; the stage row after it. */
  resume(plan: object): Promise<StageRecord>;
  /** What the active job is doing about a problem (a cancel still pending). */
  problem(text: string): Promise<void>;
  /** The job's bad-block list, and its replacement (pinned to the true blocks). */
  badBlocks(): number[];
  replaceBadBlocks(blocks: readonly number[]): Promise<void>;
  logTail(): string[];
  /** The job paused for temperature (a note, an attention message), continued, or no longer paused. */
  pause(note: string, attention: string): Promise<void>;
  continue(note: string): Promise<void>;
  unpause(): Promise<void>;
  isPaused(): boolean;
  /** Commits a surface run's progress with the job's percent; the job's percent, or why not. */
  commitProgress(p: ProgressRecord, now: number): number | "busy" | "gone";
  /** One temperature and throughput sample for the charts. */
  sample(at: number, mbps: number | null, percent: number): void;
}

export interface StageContext {
  job: JobRecord;
  stage: StageRecord;
  drive: DriveRow;
  host: HostRow;
  /** The host's port: exec and the verbs (launch, read, signal, cancel, smart, farm, check). */
  port: HostPort;
  recorder: StageRecorder;
  /** This Kiln install's id (run ownership on the host). */
  installId: string;
  /** Aborted when the operator cancels the job. */
  signal: AbortSignal;
  /** Aborted when Kiln shuts down: stop background work, leave the host's processes and the stage as they are. */
  stopping: AbortSignal;
  /** How often the temperature guard samples, ms. */
  tempSampleMs: number;
  /** Seconds between the badblocks status lines kept in the job's log. */
  progressSeconds: number;
  log: Logger;
}

export interface StageResult {
  status: "passed" | "failed" | "skipped" | "cancelled" | "unknown";
  errorText: string | null;
}

export interface StageImpl {
  name: StageName;
  run(ctx: StageContext): Promise<StageResult>;
}
