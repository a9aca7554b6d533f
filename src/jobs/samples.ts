// Samples of temperature and throughput over a job's life, kept at a bounded rate for the charts.
import type { Db } from "../db/open.js";

/** A job's samples are thinned to at most this many when read (a 7-day run has ~10,000). */
const MAX_POINTS = 500;

export interface Sample {
  at: string;
  temperatureC: number | null;
  mbps: number | null;
  percent: number;
}

export function recordSample(db: Db, jobId: number, s: Sample): void {
  db.prepare(
    "INSERT OR IGNORE INTO job_samples (job_id, at, temperature_c, mbps, percent) VALUES (?, ?, ?, ?, ?)",
  ).run(jobId, s.at, s.temperatureC, s.mbps, s.percent);
}

export function samplesOf(db: Db, jobId: number): Sample[] {
  const rows = db
    .prepare("SELECT at, temperature_c AS temperatureC, mbps, percent FROM job_samples WHERE job_id = ? ORDER BY at")
    .all(jobId) as Sample[];
  if (rows.length <= MAX_POINTS) return rows;
  const step = rows.length / MAX_POINTS;
  return Array.from({ length: MAX_POINTS }, (_, i) => rows[Math.floor(i * step)]!).concat(rows.at(-1)!);
}
