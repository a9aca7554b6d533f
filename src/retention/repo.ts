// Retention's database side: which finished jobs are due (their host directories, their samples),
// recording that each was done, thinning samples, and the space the database takes.
// Only jobs in a terminal status are ever selected: a terminal status has no way out
// (status.ts), so a job chosen here can never run or resume again.
import { statSync } from "node:fs";
import type { Db } from "../db/open.js";
import { TERMINAL_JOB_STATUSES, sqlList } from "../status.js";
import { nowIso } from "../db/time.js";

const TERMINAL_SQL = sqlList(TERMINAL_JOB_STATUSES);

/** One surface stage of a finished job whose directories on its host may go. */
export interface DueJobDir {
  jobId: number;
  hostId: number;
  seq: number;
  devicePath: string;
  /** The last run's directory, and the bytes of its bad-block list stored in the database. */
  remoteDir: string | null;
  bbOffset: number;
}

/**
 * Finished jobs whose host directories are due: terminal, finished before `cutoff`, not yet removed,
 * and no stage of theirs still running (its follower has committed the bad-block list and summary).
 * Jobs without a surface stage come back with seq -1 (nothing to remove on the host).
 */
export function dueJobDirs(db: Db, cutoff: string, limit = 500): DueJobDir[] {
  return db.prepare(
    `SELECT j.id AS jobId, j.host_id AS hostId, coalesce(s.seq, -1) AS seq, j.device_path AS devicePath,
            s.remote_dir AS remoteDir, coalesce(s.bb_offset, 0) AS bbOffset
       FROM jobs j LEFT JOIN stages s ON s.job_id = j.id AND s.name = 'surface_validate'
      WHERE j.host_dirs_removed_at IS NULL AND j.finished_at < ? AND j.status IN (${TERMINAL_SQL})
        AND NOT EXISTS (SELECT 1 FROM stages r WHERE r.job_id = j.id AND r.status = 'running')
      ORDER BY j.finished_at LIMIT ?`,
  ).all(cutoff, limit) as DueJobDir[];
}

export function markDirsRemoved(db: Db, jobId: number, text: string): void {
  db.transaction(() => {
    db.prepare(`UPDATE jobs SET host_dirs_removed_at = ? WHERE id = ? AND status IN (${TERMINAL_SQL})`).run(nowIso(), jobId);
    db.prepare("INSERT INTO job_events (job_id, kind, text) VALUES (?, 'host-dirs-removed', ?)").run(jobId, text);
  })();
}

/** Samples are thinned to the first of each such bucket: `YYYY-MM-DDTHH:M` = 10 minutes. */
const BUCKET_CHARS = 15;

/**
 * Thins the samples of up to `limit` terminal jobs finished before `cutoff` (all their samples are
 * older than it) to one per 10 minutes, once per job. Returns jobs thinned and rows deleted.
 */
export function thinSamples(db: Db, cutoff: string, limit = 200): { jobs: number; deleted: number } {
  const ids = db.prepare(
    `SELECT id FROM jobs WHERE samples_thinned_at IS NULL AND finished_at < ? AND status IN (${TERMINAL_SQL})
      ORDER BY finished_at LIMIT ?`,
  ).pluck().all(cutoff, limit) as number[];
  const del = db.prepare(
    `DELETE FROM job_samples AS s WHERE s.job_id = ? AND EXISTS (
       SELECT 1 FROM job_samples p WHERE p.job_id = s.job_id AND p.at < s.at AND p.at >= substr(s.at, 1, ${BUCKET_CHARS}))`,
  );
  const mark = db.prepare(`UPDATE jobs SET samples_thinned_at = ? WHERE id = ? AND status IN (${TERMINAL_SQL})`);
  let deleted = 0;
  db.transaction(() => {
    for (const id of ids) {
      deleted += del.run(id).changes;
      mark.run(nowIso(), id);
    }
  })();
  return { jobs: ids.length, deleted };
}

export interface DbUsage {
  /** The database file and its write-ahead log, bytes. */
  fileBytes: number;
  walBytes: number;
  jobs: number;
  samples: number;
  events: number;
}

export function dbUsage(db: Db): DbUsage {
  const size = (f: string) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  return {
    fileBytes: size(db.name),
    walBytes: size(`${db.name}-wal`),
    jobs: count("jobs"),
    samples: count("job_samples"),
    events: count("job_events"),
  };
}
