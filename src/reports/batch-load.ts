// A batch side by side, read from SQLite: each drive's verdict, new-drive verdict, surface speed
// compared with its same-model siblings (jobs/batch-speed.ts) and temperatures. Used by the batch
// page and report, the job report and the e-mails.
import type { Db } from "../db/open.js";
import { compareBatchSpeeds, type DriveSpeedComparison } from "../jobs/batch-speed.js";
import type { NewDriveVerdict } from "../smart/new-drive.js";
import { storedNewDrive } from "../jobs/stored-new-drive.js";
import type { SpeedProfile } from "../surface/speed.js";
import { stageSpeed } from "../surface/view.js";
import { smartTemperatures } from "../smart/store.js";

export interface BatchDrive {
  jobId: number;
  status: string;
  errorText: string | null;
  host: string;
  devName: string;
  model: string | null;
  serial: string | null;
  sizeBytes: number;
  badBlocks: number;
  startedAt: string | null;
  finishedAt: string | null;
  newDrive: NewDriveVerdict | null;
  profile: SpeedProfile | null;
  speed: DriveSpeedComparison;
  temperature: { minC: number; maxC: number } | null;
}

interface Row {
  id: number; status: string; error_text: string | null; host_name: string; dev_name: string; model: string | null;
  serial: string | null; size_bytes: number; bad_block_count: number; started_at: string | null; finished_at: string | null;
}

function temperaturesOf(db: Db, jobId: number): BatchDrive["temperature"] {
  const sampled = db.prepare("SELECT temperature_c FROM job_samples WHERE job_id = ? AND temperature_c IS NOT NULL").pluck().all(jobId) as number[];
  const all = [...sampled, ...smartTemperatures(db, jobId)];
  return all.length ? { minC: Math.min(...all), maxC: Math.max(...all) } : null;
}

/** Every job of the batch, oldest first; empty when there is no such batch. */
export function loadBatch(db: Db, batchId: string): BatchDrive[] {
  const rows = db.prepare(
    `SELECT j.id, j.status, j.error_text, h.name AS host_name, d.dev_name, d.model, d.serial, d.size_bytes, j.bad_block_count,
            j.started_at, j.finished_at
       FROM jobs j JOIN drives d ON d.id = j.drive_id JOIN hosts h ON h.id = j.host_id
      WHERE j.batch_id = ? ORDER BY j.id`,
  ).all(batchId) as Row[];
  const stage = db.prepare("SELECT parser_state, resume_json FROM stages WHERE job_id = ? AND name = 'surface_validate' ORDER BY seq LIMIT 1");
  const profiles = rows.map((r) => {
    const s = stage.get(r.id) as { parser_state: string | null; resume_json: string | null } | undefined;
    return s ? stageSpeed(s, r.size_bytes) : null;
  });
  const paused = db.prepare("SELECT count(*) FROM job_events WHERE job_id = ? AND kind = 'paused'").pluck();
  const speeds = compareBatchSpeeds(rows.map((r, i) => ({ jobId: r.id, model: r.model, profile: profiles[i]!, paused: (paused.get(r.id) as number) > 0 })));
  return rows.map((r, i) => ({
    jobId: r.id,
    status: r.status,
    errorText: r.error_text,
    host: r.host_name,
    devName: r.dev_name,
    model: r.model,
    serial: r.serial,
    sizeBytes: r.size_bytes,
    badBlocks: r.bad_block_count,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    newDrive: storedNewDrive(db, r.id),
    profile: profiles[i]!,
    speed: speeds[i]!,
    temperature: temperaturesOf(db, r.id),
  }));
}

/** One job's place in its batch's speed comparison; null for a job without a batch. */
export function jobSpeedInBatch(db: Db, jobId: number, batchId: string | null): DriveSpeedComparison | null {
  if (!batchId) return null;
  return loadBatch(db, batchId).find((d) => d.jobId === jobId)?.speed ?? null;
}

/** "slow: …; …", "212.4 MB/s, +1.2 % vs 4 same-model drives", or null without a timed surface test. */
export function speedText(c: DriveSpeedComparison | null): string | null {
  if (!c || c.mbps === null) return null;
  if (c.slow) return `slow: ${c.flags.map((f) => f.text).join("; ")}`;
  const vs = c.vsSiblingsPct === null ? "" : `, ${c.vsSiblingsPct >= 0 ? "+" : ""}${c.vsSiblingsPct} % vs the median of ${c.siblings} same-model drives`;
  return `${c.mbps} MB/s${vs}`;
}
