-- The operator's escape hatches (issue 10).
-- A removed host stays as a row for the history of its jobs: hidden from lists, renamed so its name
-- can be used again, its private key dropped, its drives no longer present.
ALTER TABLE hosts ADD COLUMN removed_at TEXT;

-- A job abandoned on a host that never came back: its process may still run there. The drive takes
-- no new burn-in until Kiln has reached the host and seen that the process is gone (confirmed_gone_at).
CREATE TABLE abandoned_jobs (
  job_id            INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  drive_id          INTEGER NOT NULL REFERENCES drives(id) ON DELETE CASCADE,
  host_id           INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  abandoned_by      TEXT NOT NULL,
  abandoned_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  confirmed_gone_at TEXT
);
CREATE INDEX abandoned_jobs_open ON abandoned_jobs(drive_id) WHERE confirmed_gone_at IS NULL;
