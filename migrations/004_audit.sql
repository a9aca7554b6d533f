-- The audit log: who did what, from which address. Written by the route layer after an action
-- succeeded; read by GET /api/v1/audit. Append-only.

CREATE TABLE audit_log (
  id       INTEGER PRIMARY KEY,
  at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  actor    TEXT NOT NULL,             -- user name, "api-token" or "loopback"
  address  TEXT,                      -- the TCP peer address of the request
  action   TEXT NOT NULL,             -- job.start, job.cancel, job.restart, host.add, host.repin, settings.change
  target   TEXT,                      -- "job:12", "host:3", "settings:smtp"
  detail   TEXT                       -- JSON, action-specific
);
CREATE INDEX audit_log_at ON audit_log(at, id);
CREATE INDEX audit_log_target ON audit_log(target, id);
