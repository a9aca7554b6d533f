// The pid marker in the data dir: written at boot, removed on a clean shutdown. Finding one at boot
// whose process is gone means the last run crashed; that is recorded until an admin acknowledges it.
// The marker names the process fully (pid, boot id, start time): after a reboot the pid may belong to
// another program, which must not stop Kiln from starting.
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Db } from "./db/open.js";
import { SECRET_FILE_MODE } from "./data-dir.js";

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

const readProc = (file: string): string | null => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
};

/** This boot's id and the process's start time (clock ticks since boot), or null off Linux. */
function processIdentity(pid: number): { bootId: string; startTicks: string } | null {
  const bootId = readProc("/proc/sys/kernel/random/boot_id")?.trim();
  const stat = readProc(`/proc/${pid}/stat`);
  if (!bootId || !stat) return null;
  const startTicks = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  return startTicks ? { bootId, startTicks } : null;
}

export interface MarkerLine {
  pid: number;
  at: string | null;
  bootId: string | null;
  startTicks: string | null;
}

function parseMarker(text: string): MarkerLine | null {
  const [pidText, at, bootId, startTicks] = text.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  return { pid, at: at ?? null, bootId: bootId ?? null, startTicks: startTicks ?? null };
}

/**
 * Whether the marker's process is a Kiln still running: alive, owned by this user, a node process,
 * and (when the marker records it) the same boot and start time. Without /proc: alive is enough.
 */
function markerHolderRuns(m: MarkerLine): boolean {
  if (m.pid === process.pid || !alive(m.pid)) return false;
  if (!existsSync(`/proc/${m.pid}`)) return true;
  try {
    if (typeof process.getuid === "function" && statSync(`/proc/${m.pid}`).uid !== process.getuid()) return false;
  } catch {
    return false; // gone meanwhile
  }
  const argv0 = (readProc(`/proc/${m.pid}/cmdline`) ?? "").split("\0")[0] ?? "";
  if (!/node/.test(path.basename(argv0))) return false;
  if (m.bootId && m.startTicks) {
    const now = processIdentity(m.pid);
    return now !== null && now.bootId === m.bootId && now.startTicks === m.startTicks;
  }
  return true;
}

function markerPath(dataDir: string): string {
  return path.join(dataDir, "kiln.pid");
}

/** Checks for a stale marker (a crash), then writes ours. Returns the crash found, if any. */
export function takeMarker(db: Db, dataDir: string, now = new Date()): CrashRecord | null {
  const file = markerPath(dataDir);
  let crash: CrashRecord | null = null;
  if (existsSync(file)) {
    const m = parseMarker(readFileSync(file, "utf8"));
    if (m && markerHolderRuns(m)) {
      throw new Error(`another Kiln (pid ${m.pid}) uses ${dataDir}; stop it first`);
    }
    crash = { detectedAt: now.toISOString(), previousPid: m?.pid ?? null, markerWrittenAt: m?.at ?? null };
    db.prepare("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .run(SETTING, JSON.stringify(crash));
  }
  const id = processIdentity(process.pid);
  writeFileSync(file, `${process.pid} ${now.toISOString()}${id ? ` ${id.bootId} ${id.startTicks}` : ""}\n`, { mode: SECRET_FILE_MODE });
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
