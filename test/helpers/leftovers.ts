// Removes what a crashed earlier run left under /tmp/kiln-test-*: mounts, loop devices, nbdfuse/sshd
// processes (found by their pid files), then the dirs. Only dirs stamped by tempdir.ts are removed,
// and only once their owner process is gone (suites may run side by side). Mounts and loop devices
// in an unstamped entry are released once it has not been touched for a while; its files stay.
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { run } from "./cleanup.js";
import { isMountpoint, unmountFuse } from "./nbd-fuse.js";
import { childPids, cmdlineOf, stopProcess } from "./processes.js";
import { TEMP_PREFIX, ownerState } from "./tempdir.js";

const UNSTAMPED_MIN_AGE_MS = 30 * 60 * 1000;

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

function loopDevices(): { name: string; backFile: string }[] {
  const r = run("losetup", ["--list", "--json", "--output", "NAME,BACK-FILE"]);
  if (r.status !== 0 || !r.stdout.trim()) return [];
  const parsed = JSON.parse(r.stdout) as { loopdevices?: { name: string; "back-file": string | null }[] };
  return (parsed.loopdevices ?? []).map((d) => ({ name: d.name, backFile: (d["back-file"] ?? "").replace(/ \(deleted\)$/, "") }));
}

/** The /tmp/kiln-test-* entry a path lives in, or null. */
function topEntry(p: string): string | null {
  if (!p.startsWith(TEMP_PREFIX)) return null;
  const rest = p.slice("/tmp/".length);
  return path.join("/tmp", rest.split("/")[0] ?? "");
}

function isStale(entry: string, now: number, teardownOf?: number): boolean {
  if (!existsSync(entry)) return true; // its dir is gone: whatever still points there is orphaned
  const stat = statSync(entry);
  const state = stat.isDirectory() ? ownerState(entry, teardownOf) : "unknown";
  if (state !== "unknown") return state === "dead";
  return now - stat.mtimeMs > UNSTAMPED_MIN_AGE_MS;
}

/**
 * Cleans leftovers of dead runs; returns one line per thing it removed. `teardownOf` is a pid whose
 * resources count as leftovers too (the suite's own process, at global teardown).
 */
export function removeLeftovers(opts: { now?: number; teardownOf?: number } = {}): string[] {
  const now = opts.now ?? Date.now();
  const done: string[] = [];
  const stale = (p: string): boolean => {
    const entry = topEntry(p);
    return entry !== null && isStale(entry, now, opts.teardownOf);
  };
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

  const entries = readdirSync("/tmp")
    .map((name) => path.join("/tmp", name))
    .filter((p) => p.startsWith(TEMP_PREFIX) && statSync(p).isDirectory())
    .filter((dir) => ownerState(dir, opts.teardownOf) === "dead");
  for (const entry of entries) {
    stopRecordedProcesses(entry, done);
    // never recurse into a mount that would not go away
    if (mounts().some((m) => m.target === entry || m.target.startsWith(`${entry}/`))) continue;
    rmSync(entry, { recursive: true, force: true });
    done.push(`removed ${entry}`);
  }
  return done;
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
