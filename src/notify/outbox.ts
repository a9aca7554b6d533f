// The outbox table (migration 003): recording a message, claiming it by compare-and-set, and
// writing down how the attempt went. No clock of its own: callers pass `now` (unix ms).
import type { Db } from "../db/open.js";
import { nowIso } from "../db/time.js";

export type OutboxStatus = "pending" | "sending" | "sent" | "failed";

export interface OutboxMessage {
  subject: string;
  text: string;
  html: string;
}

export interface NewOutboxRow extends OutboxMessage {
  channel?: string;
  dedupeKey: string;
  kind: string;
  recipients: string[];
  /** JSON facts of a push row (src/notify/push/payload.ts). */
  payload?: string | null;
}

export interface OutboxRow {
  id: number;
  channel: string;
  dedupe_key: string;
  kind: string;
  recipients: string;
  subject: string;
  text: string;
  html: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  payload: string | null;
}

/** Records a message once per (channel, dedupe key). Returns the new row's id, or null when it existed. */
export function enqueue(db: Db, row: NewOutboxRow, now: number): number | null {
  const res = db
    .prepare(
      `INSERT OR IGNORE INTO outbox (channel, dedupe_key, kind, recipients, subject, text, html, payload, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(row.channel ?? "email", row.dedupeKey, row.kind, JSON.stringify(row.recipients), row.subject, row.text, row.html, row.payload ?? null, now);
  return res.changes === 1 ? Number(res.lastInsertRowid) : null;
}

/** Rows a sender may claim now: pending and due, or sending with a lease that ran out. */
export function dueRows(db: Db, now: number, limit = 50): OutboxRow[] {
  return db
    .prepare(
      `SELECT * FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= ?
       ORDER BY next_attempt_at, id LIMIT ?`,
    )
    .all(now, limit) as OutboxRow[];
}

/**
 * Compare-and-set claim: succeeds only if the row is still exactly as it was read (status and due
 * time), so two overlapping ticks or two processes never both send it. The lease ends at `leaseUntil`.
 */
export function claim(db: Db, row: OutboxRow, leaseUntil: number): boolean {
  const res = db
    .prepare(
      `UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?
        WHERE id = ? AND status = ? AND next_attempt_at = ?`,
    )
    .run(leaseUntil, row.id, row.status, row.next_attempt_at);
  return res.changes === 1;
}

export function markSent(db: Db, id: number, now: number): boolean {
  return (
    db
      .prepare("UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ? AND status = 'sending'")
      .run(nowIso(now), id).changes === 1
  );
}

/** After a failed attempt: due again at `retryAt`, or `failed` for good when `retryAt` is null. */
export function markFailedAttempt(db: Db, id: number, error: string, retryAt: number | null): boolean {
  return (
    db
      .prepare(
        `UPDATE outbox SET status = ?, next_attempt_at = coalesce(?, next_attempt_at), last_error = ?
          WHERE id = ? AND status = 'sending'`,
      )
      .run(retryAt === null ? "failed" : "pending", retryAt, error.slice(0, 2000), id).changes === 1
  );
}

export interface OutboxView {
  id: number;
  channel: string;
  dedupeKey: string;
  kind: string;
  recipients: string[];
  subject: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

function outboxView(r: OutboxRow): OutboxView {
  return {
    id: r.id,
    channel: r.channel,
    dedupeKey: r.dedupe_key,
    kind: r.kind,
    recipients: JSON.parse(r.recipients) as string[],
    subject: r.subject,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.status === "pending" || r.status === "sending" ? nowIso(r.next_attempt_at) : null,
    lastError: r.last_error,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  };
}

export function recentOutbox(db: Db, limit = 50, channel?: string): OutboxView[] {
  const rows = channel === undefined
    ? db.prepare("SELECT * FROM outbox ORDER BY id DESC LIMIT ?").all(limit)
    : db.prepare("SELECT * FROM outbox WHERE channel = ? ORDER BY id DESC LIMIT ?").all(channel, limit);
  return (rows as OutboxRow[]).map(outboxView);
}

export function getOutboxRow(db: Db, id: number): OutboxRow | undefined {
  return db.prepare("SELECT * FROM outbox WHERE id = ?").get(id) as OutboxRow | undefined;
}

/** Counts by status, for the settings page and metrics. */
export function outboxCounts(db: Db, channel?: string): Record<OutboxStatus, number> {
  const out: Record<OutboxStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0 };
  const rows = channel === undefined
    ? db.prepare("SELECT status, count(*) AS n FROM outbox GROUP BY status").all()
    : db.prepare("SELECT status, count(*) AS n FROM outbox WHERE channel = ? GROUP BY status").all(channel);
  for (const r of rows as { status: OutboxStatus; n: number }[]) {
    out[r.status] = r.n;
  }
  return out;
}
