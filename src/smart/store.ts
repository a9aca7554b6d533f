// SMART snapshots of a job in SQLite (migration 002), and the drive's last temperature.
import type { Db } from "../db/open.js";
import type { SmartSnapshot } from "./model.js";

export type SnapshotKind = "before" | "after" | "sample";

export interface StoredSnapshot {
  id: number;
  jobId: number;
  kind: SnapshotKind;
  takenAt: string;
  snapshot: SmartSnapshot;
}

interface Row {
  id: number;
  job_id: number;
  kind: SnapshotKind;
  taken_at: string;
  json: string;
}

export function saveSnapshot(db: Db, jobId: number, kind: SnapshotKind, snapshot: SmartSnapshot, raw?: unknown): number {
  const res = db
    .prepare("INSERT INTO smart_snapshots (job_id, kind, json, raw_json) VALUES (?, ?, ?, ?)")
    .run(jobId, kind, JSON.stringify(snapshot), raw === undefined ? null : JSON.stringify(raw));
  return Number(res.lastInsertRowid);
}

/** The newest snapshot of this kind for the job, or null. */
export function latestSnapshot(db: Db, jobId: number, kind: SnapshotKind): StoredSnapshot | null {
  const row = db
    .prepare("SELECT id, job_id, kind, taken_at, json FROM smart_snapshots WHERE job_id = ? AND kind = ? ORDER BY id DESC LIMIT 1")
    .get(jobId, kind) as Row | undefined;
  return row ? { id: row.id, jobId: row.job_id, kind: row.kind, takenAt: row.taken_at, snapshot: JSON.parse(row.json) as SmartSnapshot } : null;
}

/** The drive's temperature as last read by a stage, for the drive list and the drawer. */
export function setDriveTemperature(db: Db, driveId: number, temperatureC: number): void {
  db.prepare("UPDATE drives SET temperature_c = ? WHERE id = ?").run(temperatureC, driveId);
}

/** Temperatures of every kept reading of a job (before, after, samples), oldest first. */
export function smartTemperatures(db: Db, jobId: number): number[] {
  const rows = db.prepare("SELECT json FROM smart_snapshots WHERE job_id = ? ORDER BY id").pluck().all(jobId) as string[];
  return rows
    .map((j) => (JSON.parse(j) as Partial<SmartSnapshot>).temperatureC)
    .filter((t): t is number => typeof t === "number");
}
