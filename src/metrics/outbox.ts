// The e-mail outbox backlog, read defensively: the outbox table (migration 003) belongs to the
// mailer, so this looks the table and its columns up before counting. Null when there is no outbox.
import type { Db } from "../db/open.js";

export function outboxBacklog(db: Db): number | null {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").get();
  if (!exists) return null;
  const cols = new Set((db.prepare("PRAGMA table_info(outbox)").all() as { name: string }[]).map((c) => c.name));
  if (cols.has("sent_at")) {
    const failed = cols.has("status") ? " AND coalesce(status, '') NOT IN ('sent', 'dead', 'failed')" : "";
    return db.prepare(`SELECT count(*) FROM outbox WHERE sent_at IS NULL${failed}`).pluck().get() as number;
  }
  if (cols.has("status")) {
    return db.prepare("SELECT count(*) FROM outbox WHERE status IN ('pending', 'queued', 'retry', 'sending')").pluck().get() as number;
  }
  return db.prepare("SELECT count(*) FROM outbox").pluck().get() as number;
}
