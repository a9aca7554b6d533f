-- Kiln's initial schema. Never edit a migration after it lands: add a new numbered file.

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
  active        INTEGER NOT NULL DEFAULT 1,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE sessions (
  id          TEXT PRIMARY KEY,            -- sha256 of the cookie value, never the value itself
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,            -- unix ms
  expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE hosts (
  id                   INTEGER PRIMARY KEY,
  name                 TEXT NOT NULL UNIQUE,
  address              TEXT NOT NULL,
  port                 INTEGER NOT NULL DEFAULT 22,
  username             TEXT NOT NULL,
  private_key          TEXT,               -- NULL = Kiln's own key
  work_dir             TEXT NOT NULL DEFAULT '~/.kiln',
  include_loop_devices INTEGER NOT NULL DEFAULT 0,
  host_key_fingerprint TEXT NOT NULL,      -- SHA256:… pinned at the first connect
  status               TEXT NOT NULL DEFAULT 'unknown'
                       CHECK (status IN ('online', 'unreachable', 'untrusted', 'unknown')),
  status_text          TEXT,
  last_seen_at         TEXT,
  created_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE drives (
  id            INTEGER PRIMARY KEY,
  host_id       INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  identity_key  TEXT NOT NULL,             -- serial:… / wwn:… / path:… / dev:loopN
  path          TEXT NOT NULL,
  dev_name      TEXT NOT NULL,
  dev_path      TEXT NOT NULL,
  serial        TEXT,
  wwn           TEXT,
  model         TEXT,
  firmware      TEXT,
  size_bytes    INTEGER NOT NULL,
  rotational    INTEGER NOT NULL DEFAULT 0,
  transport     TEXT,
  temperature_c REAL,
  in_use_reason TEXT,
  confirm_name  TEXT NOT NULL,
  smart_available INTEGER NOT NULL DEFAULT 0,
  smart_reason  TEXT,
  present       INTEGER NOT NULL DEFAULT 1,
  last_scan_at  TEXT,
  UNIQUE (host_id, identity_key)
);

CREATE TABLE jobs (
  id            INTEGER PRIMARY KEY,
  drive_id      INTEGER NOT NULL REFERENCES drives(id) ON DELETE CASCADE,
  host_id       INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  batch_id      TEXT,
  restart_of    INTEGER REFERENCES jobs(id),
  status        TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued','running','paused','passed','failed','cancelled','unknown')),
  stages_json   TEXT NOT NULL,             -- the planned stage names, in order
  options_json  TEXT NOT NULL DEFAULT '{}',
  device_path   TEXT NOT NULL,             -- the validated path badblocks is given
  percent       REAL NOT NULL DEFAULT 0,
  eta_seconds   INTEGER,
  started_at    TEXT,
  finished_at   TEXT,
  error_text    TEXT,
  bad_block_count INTEGER NOT NULL DEFAULT 0,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  created_by    TEXT,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX jobs_status ON jobs(status);
CREATE INDEX jobs_drive ON jobs(drive_id, id);
-- One active job per drive: two jobs on one disk are impossible, whatever the API races.
CREATE UNIQUE INDEX jobs_one_active_per_drive ON jobs(drive_id)
  WHERE status IN ('queued', 'running', 'paused');

CREATE TABLE stages (
  id            INTEGER PRIMARY KEY,
  job_id        INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  seq           INTEGER NOT NULL,
  name          TEXT NOT NULL CHECK (name IN ('precheck','smart_short','surface_validate','smart_long','final_check')),
  status        TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending','running','passed','failed','skipped','cancelled','unknown')),
  percent       REAL NOT NULL DEFAULT 0,
  error_text    TEXT,
  bb_phase      INTEGER,
  bb_phase_pct  REAL,
  started_at    TEXT,
  finished_at   TEXT,
  remote_dir    TEXT,                      -- the per-run directory on the host
  pgid          INTEGER,
  log_offset    INTEGER NOT NULL DEFAULT 0,
  bb_offset     INTEGER NOT NULL DEFAULT 0,
  parser_state  TEXT,                      -- JSON, covers exactly log_offset bytes
  detail_json   TEXT,                      -- stage-specific facts (speed, phase durations, reasons)
  UNIQUE (job_id, seq)
);

CREATE TABLE bad_blocks (
  job_id  INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  block   INTEGER NOT NULL,
  PRIMARY KEY (job_id, block)
) WITHOUT ROWID;

CREATE TABLE job_events (
  id      INTEGER PRIMARY KEY,
  job_id  INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  kind    TEXT NOT NULL,
  text    TEXT NOT NULL
);
CREATE INDEX job_events_job ON job_events(job_id, id);

CREATE TABLE job_log_tail (
  job_id  INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  lines   TEXT NOT NULL DEFAULT '[]'       -- JSON array, the last lines without progress noise
);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
