// Ending processes this suite started, by pid, synchronously (usable from exit handlers).
import { readFileSync } from "node:fs";
import { run } from "./cleanup.js";

export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** True while the process exists and is not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

export function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
  } catch {
    return "";
  }
}

export function childPids(pid: number): number[] {
  const r = run("pgrep", ["-P", String(pid)]);
  return r.stdout
    .split("\n")
    .map((line) => Number(line.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/**
 * SIGTERM (and SIGCONT, so that a stopped process can act on it), then SIGKILL if it is still there
 * after `graceMs`; returns once it is gone.
 */
export function stopProcess(pid: number, graceMs = 2000): void {
  if (!isRunning(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
    process.kill(pid, "SIGCONT");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isRunning(pid) && Date.now() < deadline) sleepSync(20);
  if (!isRunning(pid)) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return;
  }
  const hardDeadline = Date.now() + 2000;
  while (isRunning(pid) && Date.now() < hardDeadline) sleepSync(20);
}
