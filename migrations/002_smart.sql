-- SMART snapshots of a job: "before" (precheck), "after" (final_check), "sample" (other readings worth
-- keeping). `json` is Kiln's SmartSnapshot; `raw_json` the smartctl output it came from, for the report.

CREATE TABLE smart_snapshots (
  id        INTEGER PRIMARY KEY,
  job_id    INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  kind      TEXT NOT NULL CHECK (kind IN ('before', 'after', 'sample')),
  taken_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  json      TEXT NOT NULL,
  raw_json  TEXT
);
CREATE INDEX smart_snapshots_job ON smart_snapshots(job_id, kind, id);
