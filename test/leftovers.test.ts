// The sweep (test/setup/global.ts, helpers/leftovers.ts) ends what a dead run left behind by what it
// holds, not only by its dir: a stopped badblocks holding a loop device whose dir is already deleted,
// a stopped process whose cwd is a dead run's dir, a dead worker's test login user and network
// namespace. What belongs
// to a live owner (this file, or another suite running beside) is left alone.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "./helpers/cleanup.js";
import { createLoopDevice } from "./helpers/disks.js";
import { removeHostUser } from "./helpers/host-users.js";
import { removeLeftovers } from "./helpers/leftovers.js";
import { isRunning, sleepSync } from "./helpers/processes.js";

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups.reverse()) c();
});

const loopNames = (): string[] => {
  const out = run("losetup", ["--list", "--noheadings", "--output", "NAME"]).stdout;
  return out.split("\n").map((l) => l.trim()).filter(Boolean);
};
const backingFiles = (): string[] =>
  run("losetup", ["--list", "--noheadings", "--output", "BACK-FILE"]).stdout.split("\n").map((l) => l.trim()).filter(Boolean);
const userExists = (name: string): boolean => run("id", [name]).status === 0;
const stateOf = (pid: number): string => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] ?? "?";

function killHard(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    /* gone */
  }
}

describe("the sweep of leftovers", () => {
  it("ends a dead run's stopped badblocks that holds a loop device of a deleted dir, frees the device, removes its user", () => {
    const fixture = path.join(import.meta.dirname, "helpers", "crash-fixture-stopped.ts");
    const r = spawnSync(process.execPath, ["--import", "tsx", fixture], { encoding: "utf8", timeout: 240_000 });
    expect(r.signal, r.stderr).toBe("SIGKILL");
    const left = JSON.parse(r.stdout) as { badblocks: number; device: string; file: string; sleeper: number; cwdDir: string; user: string };
    cleanups.push(() => {
      killHard(left.badblocks);
      killHard(left.sleeper);
      if (backingFiles().some((f) => f.startsWith(left.file))) run("losetup", ["-d", left.device]);
      rmSync(left.cwdDir, { recursive: true, force: true });
      if (userExists(left.user)) removeHostUser(left.user);
    });
    expect(stateOf(left.badblocks)).toBe("T");
    expect(stateOf(left.sleeper)).toBe("T");
    expect(loopNames()).toContain(left.device);
    expect(userExists(left.user)).toBe(true);

    // Another file's sweep (files run in parallel) may take some of it first: check the end state.
    removeLeftovers();
    expect(isRunning(left.badblocks)).toBe(false);
    expect(isRunning(left.sleeper)).toBe(false);
    // no loop device is backed by the deleted file any more (its detach waited only for badblocks)
    expect(backingFiles().filter((f) => f.startsWith(left.file))).toEqual([]);
    expect(existsSync(left.cwdDir)).toBe(false);
    expect(userExists(left.user)).toBe(false);
  });

  it("leaves a live owner's stopped badblocks alone, even once its dir is deleted", () => {
    const loop = createLoopDevice({ sizeMiB: 64 });
    const bb = spawn("badblocks", ["-w", "-b", "4096", "-c", "16", loop.device], { detached: true, stdio: "ignore" });
    cleanups.push(() => {
      killHard(bb.pid);
      for (let i = 0; i < 100 && isRunning(bb.pid!); i++) sleepSync(20);
      loop.detach();
    });
    process.kill(bb.pid!, "SIGSTOP");
    rmSync(path.dirname(loop.file), { recursive: true, force: true });
    const done = removeLeftovers();
    expect(done.filter((l) => l.includes(String(bb.pid)) || l.includes(loop.device))).toEqual([]);
    expect(isRunning(bb.pid!)).toBe(true);
    expect(loopNames()).toContain(loop.device);
  });

  it("removes the network namespace of a test worker that is gone", () => {
    const gone = spawnSync("true").pid!;
    const name = `kiln-test-ns-${gone}`;
    if (run("ip", ["netns", "add", name]).status !== 0) throw new Error(`ip netns add ${name} failed`);
    cleanups.push(() => run("ip", ["netns", "del", name]));
    const mine = `kiln-test-ns-${process.pid}`;
    if (run("ip", ["netns", "add", mine]).status !== 0) throw new Error(`ip netns add ${mine} failed`);
    cleanups.push(() => run("ip", ["netns", "del", mine]));
    removeLeftovers();
    const left = run("ip", ["netns", "list"]).stdout;
    expect(left).not.toMatch(new RegExp(`^${name}( |$)`, "m"));
    expect(left).toMatch(new RegExp(`^${mine}( |$)`, "m"));
  });
});
