// The pid marker in the data dir: written at boot, removed on a clean shutdown. Finding one at boot
// whose process is gone means the last run crashed; that is recorded until an admin acknowledges it.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Db } from "./db/open.js";

export interface CrashRecord {
  detectedAt: string;
  previousPid: number | null;
  markerWrittenAt: string | null;
}

const SETTING = "crash_unacknowledged";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function markerPath(dataDir: string): string {
  return path.join(dataDir, "kiln.pid");
}

/** Checks for a stale marker (a crash), then writes ours. Returns the crash found, if any. */
export function takeMarker(db: Db, dataDir: string, now = new Date()): CrashRecord | null {
  const file = markerPath(dataDir);
  let crash: CrashRecord | null = null;
  if (existsSync(file)) {
    const [pidText, at] = readFileSync(file, "utf8").trim().split(/\s+/);
    const pid = Number(pidText);
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new Error(`another Kiln (pid ${pid}) uses ${dataDir}; stop it first`);
    }
    crash = { detectedAt: now.toISOString(), previousPid: Number.isSafeInteger(pid) ? pid : null, markerWrittenAt: at ?? null };
    db.prepare("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .run(SETTING, JSON.stringify(crash));
  }
  writeFileSync(file, `${process.pid} ${now.toISOString()}\n`);
  return crash;
}

export function releaseMarker(dataDir: string): void {
  rmSync(markerPath(dataDir), { force: true });
}

export function unacknowledgedCrash(db: Db): CrashRecord | null {
  const v = db.prepare("SELECT value FROM settings WHERE key = ?").pluck().get(SETTING) as string | undefined;
  return v ? (JSON.parse(v) as CrashRecord) : null;
}

export function acknowledgeCrash(db: Db): void {
  db.prepare("DELETE FROM settings WHERE key = ?").run(SETTING);
}
