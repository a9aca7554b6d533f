// The audit log (migration 004): who started, cancelled, restarted, added or re-pinned what, and
// from which address. Written after an action succeeded; never updated.
import type { Db } from "../db/open.js";

export const AUDIT_ACTIONS = [
  "job.start", "job.cancel", "job.restart", "host.add", "host.repin", "settings.change",
  "user.create", "user.activate", "user.deactivate", "user.password", "user.password-reset",
  "host.remove", "job.abandon",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditInput {
  actor: string;
  address: string | null;
  action: AuditAction;
  target: string | null;
  detail?: object | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  address: string | null;
  action: AuditAction;
  target: string | null;
  detail: unknown;
}

/** A row as stored: detail is JSON text. */
type Row = Omit<AuditEntry, "detail"> & { detail: string | null };

export function recordAudit(db: Db, e: AuditInput): number {
  const res = db
    .prepare("INSERT INTO audit_log (actor, address, action, target, detail) VALUES (?, ?, ?, ?, ?)")
    .run(e.actor, e.address, e.action, e.target, e.detail == null ? null : JSON.stringify(e.detail));
  return Number(res.lastInsertRowid);
}

export interface AuditFilter {
  action?: string | undefined;
  target?: string | undefined;
  actor?: string | undefined;
  limit?: number | undefined;
}

/** Newest first. */
export function listAudit(db: Db, f: AuditFilter = {}): AuditEntry[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  for (const [col, value] of [["action", f.action], ["target", f.target], ["actor", f.actor]] as const) {
    if (value === undefined) continue;
    where.push(`${col} = ?`);
    args.push(value);
  }
  const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
  const rows = db.prepare(sql).all(...args, Math.min(f.limit ?? 200, 5000)) as Row[];
  return rows.map((r) => ({ ...r, detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown) }));
}
