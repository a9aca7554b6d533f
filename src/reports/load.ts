// Reads what a report needs from SQLite and hands it to the pure model.
import type { Db } from "../db/open.js";
import { jobSnapshot } from "../jobs/snapshot.js";
import { jobEvents } from "../jobs/repo.js";
import { getDrive } from "../drives/repo.js";
import { getHost } from "../hosts/repo.js";
import { latestSnapshot, smartTemperatures } from "../smart/store.js";
import { compareSnapshots } from "../smart/compare.js";
import { buildReport, type JobReport } from "./model.js";
import { storedNewDrive } from "../jobs/stored-new-drive.js";
import { jobSpeedInBatch } from "./batch-load.js";

const MAX_NOTES = 2000;


export function loadReport(db: Db, jobId: number, now = Date.now()): JobReport | undefined {
  const job = jobSnapshot(db, jobId);
  if (!job) return undefined;
  const before = latestSnapshot(db, jobId, "before");
  const after = latestSnapshot(db, jobId, "after");
  return buildReport({
    job,
    drive: getDrive(db, job.driveId),
    host: getHost(db, job.hostId),
    notes: jobEvents(db, jobId, MAX_NOTES),
    smart: {
      before,
      after,
      temperatures: smartTemperatures(db, jobId),
      verdict: before && after ? compareSnapshots(before.snapshot, after.snapshot) : null,
    },
    newDrive: storedNewDrive(db, jobId),
    speed: { profile: job.surface?.speed ?? null, comparison: jobSpeedInBatch(db, jobId, job.batchId) },
    now,
  });
}
