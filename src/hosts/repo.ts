// Host rows and their API shape.
import type { Db } from "../db/open.js";
import { nowIso } from "../jobs/repo.js";
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

export function listHosts(db: Db): HostRow[] {
  return db.prepare("SELECT * FROM hosts ORDER BY name").all() as HostRow[];
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
        WHERE id = ? AND (status <> ? OR coalesce(status_text, '') <> coalesce(?, ''))`,
    )
    .run(status, text, seen, id, status, text);
  if (res.changes === 0 && seen) db.prepare("UPDATE hosts SET last_seen_at = ? WHERE id = ?").run(seen, id);
  return res.changes === 1;
}

export function saveHostCheck(db: Db, id: number, lines: CheckLine[], now = Date.now()): void {
  db.prepare("UPDATE hosts SET check_json = ?, checked_at = ? WHERE id = ?").run(JSON.stringify(lines), nowIso(now), id);
}

export function repinHost(db: Db, id: number, fingerprint: string): void {
  db.prepare(
    "UPDATE hosts SET host_key_fingerprint = ?, status = 'online', status_text = NULL WHERE id = ?",
  ).run(fingerprint, id);
}
