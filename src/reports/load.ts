// Reads what a report needs from SQLite and hands it to the pure model.
import type { Db } from "../db/open.js";
import { jobSnapshot } from "../jobs/snapshot.js";
import { jobEvents } from "../jobs/repo.js";
import { getDrive } from "../drives/repo.js";
import { getHost } from "../hosts/repo.js";
import { latestSnapshot } from "../smart/store.js";
import { compareSnapshots } from "../smart/compare.js";
import type { SmartSnapshot } from "../smart/model.js";
import { buildReport, type JobReport } from "./model.js";

const MAX_NOTES = 2000;

function smartTemperatures(db: Db, jobId: number): number[] {
  const rows = db.prepare("SELECT json FROM smart_snapshots WHERE job_id = ? ORDER BY id").pluck().all(jobId) as string[];
  return rows
    .map((j) => (JSON.parse(j) as Partial<SmartSnapshot>).temperatureC)
    .filter((t): t is number => typeof t === "number");
}

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
    now,
  });
}
