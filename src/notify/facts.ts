// Reads what a notification says about a job or a batch out of the database, into the plain facts
// the pure builders in messages.ts take. SMART changes come from the job's before/after snapshots.
import type { Db } from "../db/open.js";
import { getDrive } from "../drives/repo.js";
import { getHost } from "../hosts/repo.js";
import { badBlocksOf, type JobRow } from "../jobs/repo.js";
import { isActive } from "../status.js";
import { compareSnapshots } from "../smart/compare.js";
import { latestSnapshot } from "../smart/store.js";
import { storedNewDrive } from "../jobs/stored-new-drive.js";
import type { BatchFacts, JobFacts, SmartChangeFacts } from "./messages.js";
import { jobSpeedInBatch, speedText } from "../reports/batch-load.js";

export const reportUrlOf = (publicUrl: string, jobId: number) =>
  `${publicUrl.replace(/\/+$/, "")}/api/v1/jobs/${jobId}/report?format=html`;

function smartChangesOf(db: Db, jobId: number): SmartChangeFacts[] {
  const before = latestSnapshot(db, jobId, "before");
  const after = latestSnapshot(db, jobId, "after");
  if (!before || !after) return [];
  return compareSnapshots(before.snapshot, after.snapshot).changes.map((c) => ({
    name: c.id !== undefined ? `${c.name} (${c.id})` : c.name,
    before: c.before,
    after: c.after,
    worse: c.worse,
    critical: c.critical,
  }));
}

/** The new-drive verdict precheck kept for the job (new / used / tampered / unknown) and its evidence; null without one. */
function newDriveOf(db: Db, job: JobRow): JobFacts["newDrive"] {
  const v = storedNewDrive(db, job.id);
  if (!v) return null;
  const evidence = v.contradictions.length ? v.contradictions.join("; ")
    : v.evidence.length ? v.evidence.map((e) => e.text).join(", ")
    : v.status === "unknown" ? v.text : null;
  return { verdict: v.status, evidence };
}

export function jobFactsOf(db: Db, job: JobRow, publicUrl: string): JobFacts {
  const drive = getDrive(db, job.drive_id);
  const host = getHost(db, job.host_id);
  return {
    jobId: job.id,
    status: job.status,
    host: host ? `${host.name} (${host.address})` : `host ${job.host_id}`,
    drive: {
      model: drive?.model ?? null,
      serial: drive?.serial ?? null,
      devPath: drive?.dev_path ?? job.device_path,
      sizeBytes: drive?.size_bytes ?? 0,
    },
    startedAt: job.started_at,
    finishedAt: job.finished_at,
    errorText: job.error_text,
    badBlockCount: job.bad_block_count,
    badBlocks: badBlocksOf(db, job.id),
    smartChanges: smartChangesOf(db, job.id),
    reportUrl: reportUrlOf(publicUrl, job.id),
    newDrive: newDriveOf(db, job),
    speed: speedFacts(db, job),
  };
}

function speedFacts(db: Db, job: JobRow): JobFacts["speed"] {
  const c = jobSpeedInBatch(db, job.id, job.batch_id);
  const text = speedText(c);
  return text && c ? { text, slow: c.slow } : null;
}

/** The batch's facts once every one of its jobs has ended; undefined while one is still active. */
export function endedBatchFacts(db: Db, batchId: string, publicUrl: string): BatchFacts | undefined {
  const jobs = db.prepare("SELECT * FROM jobs WHERE batch_id = ? ORDER BY id").all(batchId) as JobRow[];
  if (jobs.some((j) => isActive(j.status))) return undefined;
  return { batchId, jobs: jobs.map((j) => jobFactsOf(db, j, publicUrl)) };
}
