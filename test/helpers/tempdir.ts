// Temp dirs under /tmp/kiln-test-*, each stamped with the process that owns it, so that a later run
// can tell a crashed run's leftovers from a live run's resources (several suites may run at once).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export const TEMP_PREFIX = "/tmp/kiln-test-";
export const OWNER_FILE = ".kiln-owner";

/** The start time of a process (clock ticks since boot), or null when there is no such process. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // fields after the ")" that ends the command name; starttime is field 22 overall
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

export function makeTempDir(label: string): string {
  const dir = mkdtempSync(`${TEMP_PREFIX}${label}-`);
  writeFileSync(path.join(dir, OWNER_FILE), `${process.pid} ${processStartTime(process.pid) ?? "?"}\n`);
  return dir;
}

/** "alive", "dead", or "unknown" when the dir carries no owner stamp. `deadPid` counts as dead. */
export function ownerState(dir: string, deadPid?: number): "alive" | "dead" | "unknown" {
  let stamp: string;
  try {
    stamp = readFileSync(path.join(dir, OWNER_FILE), "utf8").trim();
  } catch {
    return "unknown";
  }
  const [pid, start] = stamp.split(" ");
  const pidNumber = Number(pid);
  if (!Number.isInteger(pidNumber) || pidNumber <= 0 || pidNumber === deadPid) return "dead";
  return processStartTime(pidNumber) === start ? "alive" : "dead";
}
