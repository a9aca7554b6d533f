// Removes what a crashed or finished run left under /tmp/kiln-test-*: first the processes that still
// use such a dir (badblocks, sshd and its sessions, nbdfuse/nbdkit, Kiln children, stopped ones
// too), found by what they hold: their cwd, open files, loop devices, command line and
// KILN_DATA_DIR, even when the dir is already deleted; then mounts, loop devices, the network
// namespaces and test login users of dead workers, and the dirs. Only what belongs to a dead owner (tempdir.ts stamps and
// ledger) is touched: suites may run side by side. An entry nobody stamped is released once it has
// not been touched for a while.
import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { run } from "./cleanup.js";
import { isMountpoint, unmountFuse } from "./nbd-fuse.js";
import { childPids, cmdlineOf, isRunning, sleepSync, stopProcess } from "./processes.js";
import { removeHostUser } from "./host-users.js";
import { OWNER_LEDGER, TEMP_PREFIX, forgetOwner, ownedResources, ownerState } from "./tempdir.js";

const UNSTAMPED_MIN_AGE_MS = 30 * 60 * 1000;
const NETNS_PREFIX = "kiln-test-ns-";

interface Mount {
  source: string;
  target: string;
  fstype: string;
}

function mounts(): Mount[] {
  return readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [source = "", target = "", fstype = ""] = line.split(" ");
      return { source, target: target.replace(/\\040/g, " "), fstype };
    });
}

const undeleted = (p: string): string => p.replace(/ \(deleted\)$/, "");

function loopDevices(): { name: string; backFile: string }[] {
  const r = run("losetup", ["--list", "--json", "--output", "NAME,BACK-FILE"]);
  if (r.status !== 0 || !r.stdout.trim()) return [];
  const parsed = JSON.parse(r.stdout) as { loopdevices?: { name: string; "back-file": string | null }[] };
  return (parsed.loopdevices ?? []).map((d) => ({ name: d.name, backFile: undeleted(d["back-file"] ?? "") }));
}

/** The /tmp/kiln-test-* entry a path lives in, or null. */
function topEntry(p: string): string | null {
  if (!p.startsWith(TEMP_PREFIX)) return null;
  const rest = p.slice("/tmp/".length);
  return path.join("/tmp", rest.split("/")[0] ?? "");
}

function isStale(entry: string, now: number, teardownOf?: number): boolean {
  const state = ownerState(entry, teardownOf);
  if (state !== "unknown") return state === "dead";
  if (!existsSync(entry)) return true; // gone and never stamped: whatever still points there is orphaned
  return now - statSync(entry).mtimeMs > UNSTAMPED_MIN_AGE_MS;
}

const readlink = (p: string): string | null => {
  try {
    return readlinkSync(p);
  } catch {
    return null;
  }
};

/** This process and its ancestors: never candidates, whatever they hold. */
function selfAndAncestors(): Set<number> {
  const out = new Set<number>();
  for (let pid = process.pid; pid > 1 && !out.has(pid); ) {
    out.add(pid);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
      break;
    }
  }
  return out;
}

/** Every /tmp/kiln-test-* path a process holds: cwd, open files (loop devices by backing file), arguments, KILN_DATA_DIR. */
export function pathsHeldBy(pid: number, loopBacking: Map<string, string>): string[] {
  const held: string[] = [];
  const cwd = readlink(`/proc/${pid}/cwd`);
  if (cwd) held.push(undeleted(cwd));
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    /* gone, or not ours to read */
  }
  for (const fd of fds) {
    const target = readlink(`/proc/${pid}/fd/${fd}`);
    if (!target) continue;
    const backing = loopBacking.get(target);
    held.push(backing ?? undeleted(target));
  }
  for (const m of cmdlineOf(pid).matchAll(/\/tmp\/kiln-test-[^\s:'"=,]*/g)) held.push(m[0]);
  try {
    const env = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    const dataDir = env.find((e) => e.startsWith("KILN_DATA_DIR="));
    if (dataDir) held.push(dataDir.slice("KILN_DATA_DIR=".length));
  } catch {
    /* gone */
  }
  return held.filter((p) => p.startsWith(TEMP_PREFIX) || USER_HOME.test(p));
}

/** The home of a test login user (helpers/host-users.ts): Kiln's work dir for that user lives there. */
const USER_HOME = /^\/home\/(kt[0-9a-f]{10})(\/|$)/;

/** A test user's home is stale when its owner is dead, or when the user is gone and nobody owns it. */
function staleUserHome(p: string, teardownOf?: number): boolean | null {
  const name = USER_HOME.exec(p)?.[1];
  if (!name) return null;
  const owned = ownedResources("user", teardownOf).find((u) => u.id === name);
  if (owned) return owned.state === "dead";
  return run("id", [name]).status !== 0;
}

/** Ends processes (stopped ones too) that hold anything of a stale entry; returns one line each. */
function stopStaleProcesses(stale: (p: string) => boolean): string[] {
  const skip = selfAndAncestors();
  const loopBacking = new Map(loopDevices().map((l) => [l.name, l.backFile]));
  const victims: { pid: number; what: string }[] = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 1 || skip.has(pid) || !isRunning(pid)) continue;
    const held = pathsHeldBy(pid, loopBacking).find(stale);
    if (held) victims.push({ pid, what: `${cmdlineOf(pid).slice(0, 80)} (held ${held})` });
  }
  if (victims.length === 0) return [];
  // TERM, and CONT so that a stopped process can act on it; KILL what is still there after a second.
  for (const v of victims) signal(v.pid, "SIGTERM");
  for (const v of victims) signal(v.pid, "SIGCONT");
  const deadline = Date.now() + 1000;
  while (victims.some((v) => isRunning(v.pid)) && Date.now() < deadline) sleepSync(20);
  for (const v of victims) if (isRunning(v.pid)) signal(v.pid, "SIGKILL");
  const hardDeadline = Date.now() + 2000;
  while (victims.some((v) => isRunning(v.pid)) && Date.now() < hardDeadline) sleepSync(20);
  return victims.map((v) => `stopped pid ${v.pid}: ${v.what}`);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** Network namespaces named after a test worker's pid (kiln-test-ns-<pid>) whose worker is gone. */
function removeStaleNetns(teardownOf?: number): string[] {
  const r = run("ip", ["netns", "list"]);
  if (r.status !== 0) return [];
  const done: string[] = [];
  for (const line of r.stdout.split("\n")) {
    const name = line.split(" ")[0] ?? "";
    if (!name.startsWith(NETNS_PREFIX)) continue;
    const pid = Number(name.slice(NETNS_PREFIX.length));
    if (!Number.isInteger(pid) || (isRunning(pid) && pid !== teardownOf)) continue;
    run("ip", ["netns", "del", name]); // its end of the veth pair goes with it, and so the pair
    done.push(`removed network namespace ${name}`);
  }
  return done;
}

/**
 * Cleans leftovers of dead runs; returns one line per thing it removed. `teardownOf` is a pid whose
 * resources count as leftovers too (the suite's own process, at global teardown).
 */
export function removeLeftovers(opts: { now?: number; teardownOf?: number } = {}): string[] {
  const now = opts.now ?? Date.now();
  const staleCache = new Map<string, boolean>();
  const stale = (p: string): boolean => {
    const home = staleUserHome(p, opts.teardownOf);
    if (home !== null) return home;
    const entry = topEntry(p);
    if (entry === null) return false;
    if (!staleCache.has(entry)) staleCache.set(entry, isStale(entry, now, opts.teardownOf));
    return staleCache.get(entry)!;
  };
  const done: string[] = stopStaleProcesses(stale);

  const byDepth = (a: Mount, b: Mount): number => b.target.length - a.target.length;
  const staleMounts = mounts().filter((m) => stale(m.target)).sort(byDepth);
  for (const m of staleMounts.filter((m) => !m.fstype.startsWith("fuse"))) {
    if (run("umount", [m.target]).status !== 0) run("umount", ["-l", m.target]);
    done.push(`unmounted ${m.target}`);
  }
  for (const loop of loopDevices().filter((l) => stale(l.backFile))) {
    run("losetup", ["-d", loop.name]);
    done.push(`detached ${loop.name} (${loop.backFile})`);
  }
  for (const m of staleMounts.filter((m) => m.fstype.startsWith("fuse"))) {
    if (isMountpoint(m.target)) unmountFuse(m.target);
    done.push(`unmounted ${m.target}`);
  }
  done.push(...removeStaleNetns(opts.teardownOf));
  for (const user of ownedResources("user", opts.teardownOf).filter((u) => u.state === "dead")) {
    removeHostUser(user.id);
    done.push(`removed test user ${user.id}`);
  }

  const entries = readdirSync("/tmp")
    .map((name) => path.join("/tmp", name))
    .filter((p) => p.startsWith(TEMP_PREFIX) && statSync(p, { throwIfNoEntry: false })?.isDirectory())
    .filter((dir) => ownerState(dir, opts.teardownOf) === "dead");
  for (const entry of entries) {
    stopRecordedProcesses(entry, done);
    // never recurse into a mount that would not go away
    if (mounts().some((m) => m.target === entry || m.target.startsWith(`${entry}/`))) continue;
    rmSync(entry, { recursive: true, force: true });
    done.push(`removed ${entry}`);
  }
  forgetDeadOwners(opts.teardownOf);
  return done;
}

/** Ledger entries of dirs that are gone, whose owner is gone too. */
function forgetDeadOwners(teardownOf?: number): void {
  let names: string[] = [];
  try {
    names = readdirSync(OWNER_LEDGER);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.includes(":")) continue; // a recordOwned resource: forgotten when it is removed
    const dir = path.join("/tmp", name);
    if (!existsSync(dir) && ownerState(dir, teardownOf) === "dead") forgetOwner(dir);
  }
}

/** Stops the processes named by *.pid files in `dir`, if they still run with `dir` in their command line. */
function stopRecordedProcesses(dir: string, done: string[]): void {
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".pid"))) {
    const pid = Number(readFileSync(path.join(dir, name), "utf8").trim());
    if (!Number.isInteger(pid) || pid <= 0 || !cmdlineOf(pid).includes(dir)) continue;
    for (const child of childPids(pid)) stopProcess(child, 0);
    stopProcess(pid);
    done.push(`stopped pid ${pid} (${name})`);
  }
}
