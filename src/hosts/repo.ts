// Host rows and their API shape.
import type { Db } from "../db/open.js";
import { nowIso } from "../db/time.js";
import { ACTIVE_JOB_STATUSES, sqlList } from "../status.js";
import type { CheckLine } from "./check.js";

export type HostStatus = "online" | "unreachable" | "untrusted" | "unknown";

export interface HostRow {
  id: number;
  name: string;
  address: string;
  port: number;
  username: string;
  private_key: string | null;
  work_dir: string;
  include_loop_devices: number;
  host_key_fingerprint: string;
  status: HostStatus;
  status_text: string | null;
  last_seen_at: string | null;
  use_sudo: number;
  check_json: string | null;
  checked_at: string | null;
  removed_at: string | null;
}

export interface HostView {
  id: number;
  name: string;
  address: string;
  port: number;
  username: string;
  workDir: string;
  includeLoopDevices: boolean;
  hostKeyFingerprint: string;
  ownKey: boolean;
  status: HostStatus;
  statusText: string | null;
  lastSeenAt: string | null;
  /** Privileged commands run as `sudo -n /abs/path …` (a non-root admin, as on TrueNAS SCALE). */
  useSudo: boolean;
  /** The last host check (hosts/check.ts), or null before the first. */
  check: { at: string; lines: CheckLine[] } | null;
}

export function hostView(h: HostRow): HostView {
  return {
    id: h.id,
    name: h.name,
    address: h.address,
    port: h.port,
    username: h.username,
    workDir: h.work_dir,
    includeLoopDevices: h.include_loop_devices === 1,
    hostKeyFingerprint: h.host_key_fingerprint,
    ownKey: h.private_key !== null,
    status: h.status,
    statusText: h.status_text,
    lastSeenAt: h.last_seen_at,
    useSudo: h.use_sudo === 1,
    check: h.check_json && h.checked_at ? { at: h.checked_at, lines: JSON.parse(h.check_json) as CheckLine[] } : null,
  };
}

export function getHost(db: Db, id: number): HostRow | undefined {
  return db.prepare("SELECT * FROM hosts WHERE id = ?").get(id) as HostRow | undefined;
}

/** The hosts in use (a removed host's row stays only for its jobs' history). */
export function listHosts(db: Db): HostRow[] {
  return db.prepare("SELECT * FROM hosts WHERE removed_at IS NULL ORDER BY name").all() as HostRow[];
}

/**
 * Removes a host that has no active job, in one transaction: the row is renamed (its name is free
 * again), loses its private key and is hidden; its drives are no longer present. False: it has an
 * active job (or is gone).
 */
export function removeHost(db: Db, id: number, now = Date.now()): boolean {
  return db.transaction(() => {
    const active = db.prepare(`SELECT count(*) FROM jobs WHERE host_id = ? AND status IN (${sqlList(ACTIVE_JOB_STATUSES)})`).pluck().get(id) as number;
    if (active > 0) return false;
    const res = db
      .prepare(
        `UPDATE hosts SET removed_at = ?, name = name || ' (removed #' || id || ')', private_key = NULL,
                status = 'unknown', status_text = 'removed' WHERE id = ? AND removed_at IS NULL`,
      )
      .run(nowIso(now), id);
    if (res.changes !== 1) return false;
    db.prepare("UPDATE drives SET present = 0 WHERE host_id = ?").run(id);
    return true;
  }).immediate();
}

export interface NewHost {
  name: string;
  address: string;
  port: number;
  username: string;
  privateKey: string | null;
  workDir: string;
  includeLoopDevices: boolean;
  fingerprint: string;
  useSudo: boolean;
  check: CheckLine[];
}

export function insertHost(db: Db, h: NewHost, now = Date.now()): number {
  return Number(
    db
      .prepare(
        `INSERT INTO hosts (name, address, port, username, private_key, work_dir, include_loop_devices,
                            host_key_fingerprint, status, last_seen_at, use_sudo, check_json, checked_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'online', ?, ?, ?, ?)`,
      )
      .run(h.name, h.address, h.port, h.username, h.privateKey, h.workDir, h.includeLoopDevices ? 1 : 0,
        h.fingerprint, nowIso(now), h.useSudo ? 1 : 0, JSON.stringify(h.check), nowIso(now)).lastInsertRowid,
  );
}

/** Records a status change; returns whether anything changed (so callers publish only real changes). */
export function setHostStatus(db: Db, id: number, status: HostStatus, text: string | null, now = Date.now()): boolean {
  const seen = status === "online" ? nowIso(now) : null;
  const res = db
    .prepare(
      `UPDATE hosts SET status = ?, status_text = ?, last_seen_at = coalesce(?, last_seen_at)
        WHERE id = ? AND removed_at IS NULL AND (status <> ? OR coalesce(status_text, '') <> coalesce(?, ''))`,
    )
    .run(status, text, seen, id, status, text);
  if (res.changes === 0 && seen) db.prepare("UPDATE hosts SET last_seen_at = ? WHERE id = ?").run(seen, id);
  return res.changes === 1;
}

export function setHostSudo(db: Db, id: number, useSudo: boolean): void {
  db.prepare("UPDATE hosts SET use_sudo = ? WHERE id = ?").run(useSudo ? 1 : 0, id);
}

export function saveHostCheck(db: Db, id: number, lines: CheckLine[], now = Date.now()): void {
  db.prepare("UPDATE hosts SET check_json = ?, checked_at = ? WHERE id = ?").run(JSON.stringify(lines), nowIso(now), id);
}

/** Stores the new key's fingerprint only if the old one is still pinned (compare-and-set). */
export function repinHost(db: Db, id: number, oldFingerprint: string, fingerprint: string): boolean {
  return db.prepare(
    "UPDATE hosts SET host_key_fingerprint = ?, status = 'online', status_text = NULL WHERE id = ? AND host_key_fingerprint = ?",
  ).run(fingerprint, id, oldFingerprint).changes === 1;
}
