-- Push alert targets (ntfy, Gotify, Discord, Slack, Telegram, Pushover, JSON webhooks), one URL each.
-- `env` rows mirror KILN_NOTIFY_URLS at every start (same URL, same row, so a message recorded before a
-- restart still finds its target); `settings` rows are added and removed by an admin. A removed target
-- keeps its row (inactive) so its past outbox rows still name it. Its outbox channel is `push:<id>`.
CREATE TABLE notify_targets (
  id          INTEGER PRIMARY KEY,
  url         TEXT NOT NULL,                                 -- holds secrets: never logged, masked when shown
  source      TEXT NOT NULL CHECK (source IN ('env', 'settings')),
  active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_by  TEXT,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  removed_at  TEXT
);
CREATE UNIQUE INDEX notify_targets_active_url ON notify_targets(url) WHERE active = 1;

-- A push row's facts as JSON (src/notify/push/payload.ts): the webhook's body, and what every push
-- channel builds its request from. NULL on e-mail rows.
ALTER TABLE outbox ADD COLUMN payload TEXT;
CREATE INDEX outbox_channel ON outbox(channel, id);
