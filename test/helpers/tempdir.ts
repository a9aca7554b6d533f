// Temp dirs under /tmp/kiln-test-*, each stamped with the process that owns it, so that a later run
// can tell a crashed run's leftovers from a live run's resources (several suites may run at once).
// The stamp is also kept in a ledger beside (/tmp/.kiln-test-owners/<dir name>), so the owner of a
// dir that is already deleted can still be told: a process that still uses a deleted dir of a live
// run is that run's business, one of a dead run is a leftover.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export const TEMP_PREFIX = "/tmp/kiln-test-";
export const OWNER_FILE = ".kiln-owner";
export const OWNER_LEDGER = "/tmp/.kiln-test-owners";

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

/** Writes `dir`'s owner stamp (this process unless told otherwise) into the dir and the ledger. */
export function stampOwner(dir: string, owner: { pid: number; start: string } = { pid: process.pid, start: processStartTime(process.pid) ?? "?" }): void {
  const stamp = `${owner.pid} ${owner.start}\n`;
  mkdirSync(OWNER_LEDGER, { recursive: true });
  writeFileSync(path.join(OWNER_LEDGER, path.basename(dir)), stamp);
  writeFileSync(path.join(dir, OWNER_FILE), stamp);
}

export function makeTempDir(label: string): string {
  const dir = mkdtempSync(`${TEMP_PREFIX}${label}-`);
  stampOwner(dir);
  return dir;
}

function stateOf(stamp: string, deadPid?: number): "alive" | "dead" {
  const [pid, start] = stamp.trim().split(" ");
  const pidNumber = Number(pid);
  if (!Number.isInteger(pidNumber) || pidNumber <= 0 || pidNumber === deadPid) return "dead";
  return processStartTime(pidNumber) === start ? "alive" : "dead";
}

function readStamp(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

/**
 * "alive", "dead", or "unknown" when neither the dir nor the ledger carries an owner stamp (a dir
 * made by hand, or by an older suite). `deadPid` counts as dead. Works for deleted dirs too.
 */
export function ownerState(dir: string, deadPid?: number): "alive" | "dead" | "unknown" {
  const stamp = readStamp(path.join(dir, OWNER_FILE)) ?? readStamp(path.join(OWNER_LEDGER, path.basename(dir)));
  return stamp === null ? "unknown" : stateOf(stamp, deadPid);
}

/** Forgets the ledger entry of a dir that is gone and whose owner is dead. */
export function forgetOwner(dir: string): void {
  rmSync(path.join(OWNER_LEDGER, path.basename(dir)), { force: true });
}

/**
 * Records this process as the owner of a resource that is not a temp dir (e.g. `user`, a test
 * login user), so that the sweep can remove it once this process is gone.
 */
export function recordOwned(kind: string, id: string): void {
  mkdirSync(OWNER_LEDGER, { recursive: true });
  writeFileSync(path.join(OWNER_LEDGER, `${kind}:${id}`), `${process.pid} ${processStartTime(process.pid) ?? "?"}\n`);
}

/** Resources of `kind` recorded by recordOwned, with their owner's state. */
export function ownedResources(kind: string, deadPid?: number): { id: string; state: "alive" | "dead" }[] {
  let names: string[] = [];
  try {
    names = readdirSync(OWNER_LEDGER);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(`${kind}:`))
    .flatMap((n) => {
      const stamp = readStamp(path.join(OWNER_LEDGER, n));
      return stamp === null ? [] : [{ id: n.slice(kind.length + 1), state: stateOf(stamp, deadPid) }];
    });
}

/** Forgets a resource recorded by recordOwned (it is gone). */
export function forgetOwned(kind: string, id: string): void {
  rmSync(path.join(OWNER_LEDGER, `${kind}:${id}`), { force: true });
}
