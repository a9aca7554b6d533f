// Push targets: the notify_targets table (migration 012) and the live notifiers it stands for.
// KILN_NOTIFY_URLS rows are synced at start; the settings page adds and removes its own. Each target
// is the outbox channel `push:<id>`; its state for the settings page is read from its outbox rows.
import type { Db } from "../db/open.js";
import { Conflict, InvalidInputError } from "../errors.js";
import type { Logger } from "../log.js";
import { nowIso } from "../db/time.js";
import type { Notifier } from "./index.js";
import type { OutboxStatus } from "./outbox.js";
import { parseTargetUrl } from "./push/channels.js";
import { pushNotifier } from "./push/notifier.js";
import type { PushTarget } from "./push/types.js";

export interface TargetRow {
  id: number;
  url: string;
  source: "env" | "settings";
  active: number;
  created_by: string | null;
  created_at: string;
}

export const channelOf = (id: number) => `push:${id}`;

/** What the settings page shows of a target: never its URL, only the masked form. */
export interface TargetView {
  id: number;
  channel: string;
  kind: string;
  masked: string;
  source: "env" | "settings";
  createdAt: string;
  counts: Record<OutboxStatus, number>;
  /** The newest message's state: a permanent failure shows here with the service's reason. */
  last: { id: number; kind: string; status: OutboxStatus; attempts: number; error: string | null; createdAt: string; sentAt: string | null } | null;
}

export type AddResult = { ok: true; id: number } | { ok: false; error: InvalidInputError | Conflict };

/** A removed target's messages not yet sent end `failed`, saying why. */
function dropPending(db: Db, id: number, why: string): void {
  db.prepare("UPDATE outbox SET status = 'failed', last_error = ? WHERE channel = ? AND status = 'pending'").run(why, channelOf(id));
}

/** Makes the env rows match KILN_NOTIFY_URLS: the same URL keeps its row (and so its pending messages). */
export function syncEnvTargets(db: Db, urls: string[], now = Date.now()): void {
  db.transaction(() => {
    const wanted = new Set(urls);
    for (const row of db.prepare("SELECT * FROM notify_targets WHERE active = 1 AND source = 'env'").all() as TargetRow[]) {
      if (wanted.has(row.url)) continue;
      db.prepare("UPDATE notify_targets SET active = 0, removed_at = ? WHERE id = ?").run(nowIso(now), row.id);
      dropPending(db, row.id, "the target was removed from KILN_NOTIFY_URLS");
    }
    for (const url of wanted) {
      const existing = db.prepare("SELECT * FROM notify_targets WHERE active = 1 AND url = ?").get(url) as TargetRow | undefined;
      if (existing) db.prepare("UPDATE notify_targets SET source = 'env' WHERE id = ?").run(existing.id);
      else db.prepare("INSERT INTO notify_targets (url, source, created_by) VALUES (?, 'env', 'KILN_NOTIFY_URLS')").run(url);
    }
  }).immediate();
}

export function activeTargetRows(db: Db): TargetRow[] {
  return db.prepare("SELECT * FROM notify_targets WHERE active = 1 ORDER BY id").all() as TargetRow[];
}

function getTargetRow(db: Db, id: number): TargetRow | undefined {
  return db.prepare("SELECT * FROM notify_targets WHERE id = ?").get(id) as TargetRow | undefined;
}

export function addTargetRow(db: Db, url: string, who: string): AddResult {
  const trimmed = url.trim();
  const parsed = parseTargetUrl(trimmed);
  if (!parsed.ok) return { ok: false, error: new InvalidInputError(parsed.error) };
  if (db.prepare("SELECT 1 FROM notify_targets WHERE active = 1 AND url = ?").get(trimmed)) {
    return { ok: false, error: new Conflict("this target is already in the list") };
  }
  const id = Number(db.prepare("INSERT INTO notify_targets (url, source, created_by) VALUES (?, 'settings', ?)").run(trimmed, who).lastInsertRowid);
  return { ok: true, id };
}

/** Removes a settings target; its messages not yet sent end `failed` with the reason. */
export function removeTargetRow(db: Db, id: number, now = Date.now()): "removed" | "missing" | "from-env" {
  return db.transaction(() => {
    const row = getTargetRow(db, id);
    if (!row || !row.active) return "missing" as const;
    if (row.source === "env") return "from-env" as const;
    db.prepare("UPDATE notify_targets SET active = 0, removed_at = ? WHERE id = ?").run(nowIso(now), id);
    dropPending(db, id, "the target was removed");
    return "removed" as const;
  }).immediate();
}

function lastOf(db: Db, channel: string): TargetView["last"] {
  const r = db.prepare("SELECT id, kind, status, attempts, last_error, created_at, sent_at FROM outbox WHERE channel = ? ORDER BY id DESC LIMIT 1").get(channel) as
    { id: number; kind: string; status: OutboxStatus; attempts: number; last_error: string | null; created_at: string; sent_at: string | null } | undefined;
  return r ? { id: r.id, kind: r.kind, status: r.status, attempts: r.attempts, error: r.last_error, createdAt: r.created_at, sentAt: r.sent_at } : null;
}

function countsOf(db: Db, channel: string): Record<OutboxStatus, number> {
  const out: Record<OutboxStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0 };
  for (const r of db.prepare("SELECT status, count(*) AS n FROM outbox WHERE channel = ? GROUP BY status").all(channel) as { status: OutboxStatus; n: number }[]) {
    out[r.status] = r.n;
  }
  return out;
}

export interface PushTargetsOptions {
  db: Db;
  /** The worker's registry: push notifiers are added to and removed from it here. */
  notifiers: Map<string, Notifier>;
  timeoutMs: number;
  userAgent: string;
  log: Logger;
}

/** The live push targets: DB rows, each with its parsed target and its notifier in the worker's map. */
export class PushTargets {
  private parsed = new Map<number, PushTarget>();

  constructor(private opts: PushTargetsOptions) {}

  /** Re-reads the active rows and brings the notifier map in line with them. */
  refresh(): void {
    const { db, notifiers, log } = this.opts;
    const rows = activeTargetRows(db);
    const keep = new Set(rows.map((r) => r.id));
    for (const id of [...this.parsed.keys()]) {
      if (keep.has(id)) continue;
      this.parsed.delete(id);
      notifiers.delete(channelOf(id));
    }
    for (const row of rows) {
      if (this.parsed.has(row.id)) continue;
      const p = parseTargetUrl(row.url);
      if (!p.ok) {
        // Only a row written by an older Kiln could fail here; its messages fail with "no notifier".
        log.error({ targetId: row.id, error: p.error }, "a stored notify target no longer parses; skipped");
        continue;
      }
      this.parsed.set(row.id, p.target);
      notifiers.set(channelOf(row.id), pushNotifier(channelOf(row.id), p.target, { timeoutMs: this.opts.timeoutMs, userAgent: this.opts.userAgent }));
    }
  }

  channelNames(): string[] {
    return [...this.parsed.keys()].map(channelOf);
  }

  has(id: number): boolean {
    return this.parsed.has(id);
  }

  add(url: string, who: string): AddResult {
    const res = addTargetRow(this.opts.db, url, who);
    if (res.ok) this.refresh();
    return res;
  }

  remove(id: number): ReturnType<typeof removeTargetRow> {
    const res = removeTargetRow(this.opts.db, id);
    if (res === "removed") this.refresh();
    return res;
  }

  views(): TargetView[] {
    const { db } = this.opts;
    return activeTargetRows(db).flatMap((row) => {
      const t = this.parsed.get(row.id);
      if (!t) return [];
      const channel = channelOf(row.id);
      return [{ id: row.id, channel, kind: t.kind, masked: t.masked, source: row.source, createdAt: row.created_at, counts: countsOf(db, channel), last: lastOf(db, channel) }];
    });
  }
}
