// The small contract every stage implements. Add a stage: a file here exporting a StageImpl,
// one line in stages/index.ts, its name in plan.ts and in the stages table's CHECK (a migration).
import type { Db } from "../db/open.js";
import type { Logger } from "../log.js";
import type { HostRegistry } from "../hosts/registry.js";
import type { HostService } from "../hosts/service.js";
import type { DriveRow } from "../drives/repo.js";
import type { HostRow } from "../hosts/repo.js";
import type { JobRow, StageRow } from "../jobs/repo.js";
import type { HostReader } from "../surface/reader.js";
import type { StageName } from "./plan.js";
import type { JobHooks } from "../jobs/hooks.js";

export interface StageContext {
  db: Db;
  job: JobRow;
  stage: StageRow;
  drive: DriveRow;
  host: HostRow;
  registry: HostRegistry;
  hosts: HostService;
  reader: HostReader;
  /** Aborted when the operator cancels the job. */
  signal: AbortSignal;
  /** Aborted when Kiln shuts down: stop background work, leave the host's processes and the stage as they are. */
  stopping: AbortSignal;
  hooks: JobHooks;
  /** How often the temperature guard samples, ms. */
  tempSampleMs: number;
  /** Seconds between the badblocks status lines kept in the job's log. */
  progressSeconds: number;
  log: Logger;
  /** Push the job's current snapshot to the UI. */
  publish: () => void;
}

export interface StageResult {
  status: "passed" | "failed" | "skipped" | "cancelled" | "unknown";
  errorText: string | null;
}

export interface StageImpl {
  name: StageName;
  run(ctx: StageContext): Promise<StageResult>;
}
