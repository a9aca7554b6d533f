-- Temperature and throughput over a job's life, for the drawer's charts. Written at a bounded rate
-- (at most one row per job per minute) by the reader.
CREATE TABLE job_samples (
  job_id        INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  at            TEXT NOT NULL,
  temperature_c REAL,
  mbps          REAL,
  percent       REAL NOT NULL,
  PRIMARY KEY (job_id, at)
) WITHOUT ROWID;
