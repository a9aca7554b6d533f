-- The notification outbox. A row is inserted in the same transaction as the event that causes it
-- (a job's terminal record, a batch's last one), so an event is recorded exactly once: the dedupe
-- key is unique per channel and rows are inserted with INSERT OR IGNORE. A worker sends pending rows.
--   pending → sending (claimed by compare-and-set, lease until next_attempt_at)
--   sending → sent | pending (retry with backoff) | failed (permanent error or too many attempts)
--   sending with an expired lease is claimable again (the sender died mid-send).

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  channel         TEXT NOT NULL DEFAULT 'email',   -- the notifier (src/notify/index.ts) that sends it
  dedupe_key      TEXT NOT NULL,                   -- job-ended:<jobId>, batch-ended:<batchId>, test:<uuid>, …
  kind            TEXT NOT NULL,                   -- job-ended, batch-ended, attention, test
  recipients      TEXT NOT NULL,                   -- JSON array, fixed when the row is recorded
  subject         TEXT NOT NULL,
  text            TEXT NOT NULL,
  html            TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,                -- unix ms: due time, or the lease's end while sending
  last_error      TEXT,
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  sent_at         TEXT,
  UNIQUE (channel, dedupe_key)
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
