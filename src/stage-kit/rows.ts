// The job and stage rows as a stage reads them. jobs/repo.ts's JobRow and StageRow extend these
// with their status types; stages see statuses as text and change them only through the recorder.
import type { StageName } from "./plan.js";

/** The job's fields a stage reads. */
export interface JobRecord {
  id: number;
  drive_id: number;
  host_id: number;
  status: string;
  options_json: string;
  device_path: string;
  /** JSON DeviceIdentity of the confirmed drive (remote/launch-script.ts); null before migration 007. */
  device_identity: string | null;
}

/** A stage's row (migrations 001, 006, 008, 011). */
export interface StageRecord {
  id: number;
  job_id: number;
  seq: number;
  name: StageName;
  status: string;
  percent: number;
  error_text: string | null;
  bb_phase: number | null;
  bb_phase_pct: number | null;
  started_at: string | null;
  finished_at: string | null;
  remote_dir: string | null;
  pgid: number | null;
  log_offset: number;
  bb_offset: number;
  parser_state: string | null;
  detail_json: string | null;
  resume_json: string | null;
  /** The current run's token (its job dir's owner file holds it); null before the first launch. */
  run_token: string | null;
}
