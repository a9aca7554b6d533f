// The job each dashboard row shows (the drive's active job, else its last one), for every listed
// drive at once: the jobs, their stages and the precheck's new-drive verdict from two queries,
// instead of a full snapshot per drive (a dozen queries with SMART readings, notes and log tail).
// The drawer fetches the full snapshot of the one drive it opens; SSE pushes full snapshots.
import type { Db } from "../db/open.js";
import { newDriveOf } from "./stored-new-drive.js";
import type { JobRow, StageRow } from "./repo.js";
import { jobHead, stageSnapshot, type JobSnapshot } from "./snapshot.js";

export type RowJob = ReturnType<typeof jobHead> & Pick<JobSnapshot, "stages" | "temperatureC" | "newDrive">;

type StageCols = Pick<StageRow, "job_id" | "name" | "status" | "percent" | "error_text" | "bb_phase" | "bb_phase_pct" | "started_at" | "finished_at">
  & { precheck_detail: string | null };

/** The jobs with these ids, by id (ids that do not exist are left out). */
function rowJobs(db: Db, ids: readonly number[]): Map<number, RowJob> {
  const out = new Map<number, RowJob>();
  if (ids.length === 0) return out;
  const list = JSON.stringify(ids);
  const jobs = db
    .prepare(`SELECT j.*, d.temperature_c AS drive_temperature_c FROM jobs j JOIN drives d ON d.id = j.drive_id
               WHERE j.id IN (SELECT value FROM json_each(?))`)
    .all(list) as (JobRow & { drive_temperature_c: number | null })[];
  const stages = db
    .prepare(`SELECT job_id, name, status, percent, error_text, bb_phase, bb_phase_pct, started_at, finished_at,
                     CASE WHEN name = 'precheck' THEN detail_json END AS precheck_detail
                FROM stages WHERE job_id IN (SELECT value FROM json_each(?)) ORDER BY job_id, seq`)
    .all(list) as StageCols[];
  const byJob = new Map<number, StageCols[]>();
  for (const s of stages) {
    const of = byJob.get(s.job_id);
    if (of) of.push(s);
    else byJob.set(s.job_id, [s]);
  }
  for (const job of jobs) {
    const own = byJob.get(job.id) ?? [];
    const precheck = own.find((s) => s.name === "precheck");
    out.set(job.id, {
      ...jobHead(job),
      stages: own.map(stageSnapshot),
      temperatureC: job.drive_temperature_c,
      newDrive: newDriveOf(precheck?.precheck_detail ?? null),
    });
  }
  return out;
}

/** Each drive with `job`: the job its dashboard row shows (active, else last), or null. */
export function withRowJobs<D extends { activeJobId: number | null; lastJobId: number | null }>(db: Db, drives: D[]): (D & { job: RowJob | null })[] {
  const jobs = rowJobs(db, drives.flatMap((d) => d.activeJobId ?? d.lastJobId ?? []));
  return drives.map((d) => ({ ...d, job: jobs.get(d.activeJobId ?? d.lastJobId ?? 0) ?? null }));
}
