// Fault suite, part 3: proof that a verdict is this drive's own run, on the right disk, with one
// badblocks at a time. Real sshd, real loop devices, real Kiln instances (two installs sharing one
// host work dir), SSH sessions killed the moment a launch's pid file appears, another image attached
// to the same /dev/loopN between the scan and the launch (queued job; resume after a host reboot),
// and a cancel while sshd is down.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installId } from "../src/jobs/run-identity.js";
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { addHost, cancel, driveFor, job as jobNow, scan, startOne, waitJob } from "./helpers/api.js";
import { sleep } from "./helpers/wait.js";
import { sleepSync } from "./helpers/processes.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { createBadDisk, createLoopDevice, createSlowDisk, startTestSshd, type BadDisk, type LoopDevice, type TestSshd } from "./helpers/testhost.js";

let kilnA: TestKiln;
let kilnB: TestKiln;
let sshd: TestSshd;
let work: string;
let images: string;
const hostOf = new Map<TestKiln, number>();
const disks: { detach(): void }[] = [];

/** Generous deadlines: the suite shares a loaded 2-core machine; nothing here asserts a timing. */
const LONG = 400_000;
const TEST_MS = 900_000;
const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** Pids of badblocks processes whose command line names `device`. */
function badblocksOn(device: string): number[] {
  const r = spawnSync("pgrep", ["-a", "-x", "badblocks"], { encoding: "utf8" });
  return r.stdout.split("\n").filter((l) => l.split(" ").includes(device)).map((l) => Number(l.split(" ")[0]));
}

/** Every distinct badblocks pid seen on `device` until stop() (sampled every 50 ms). */
function watchBadblocks(device: string): { pids: Set<number>; stop(): void } {
  const pids = new Set<number>();
  const t = setInterval(() => badblocksOn(device).forEach((p) => pids.add(p)), 50);
  return { pids, stop: () => clearInterval(t) };
}

/** An image file of `sizeMiB` filled with a recognisable pattern (no signature blkid would know). */
function patternImage(name: string, sizeMiB: number): string {
  const file = path.join(images, name);
  const unit = Buffer.from(`KILN-OTHER-IMAGE ${name} `);
  const buf = Buffer.alloc(sizeMiB << 20);
  for (let at = 0; at < buf.length; at += unit.length) unit.copy(buf, at);
  writeFileSync(file, buf);
  return file;
}

/** Detaches `device` and attaches `file` to the same /dev/loopN (what a reboot or an operator may do). */
function attachOtherImage(device: string, file: string): void {
  execFileSync("losetup", ["-d", device]);
  for (let i = 0; i < 50; i++) {
    if (spawnSync("losetup", ["--direct-io=on", device, file]).status === 0) return;
    sleepSync(100);
  }
  throw new Error(`could not attach ${file} to ${device} again (another process took it?)`);
}

async function addHostTo(kiln: TestKiln, name: string): Promise<void> {
  hostOf.set(kiln, (await addHost(kiln, sshd, { name, workDir: work })).id);
}

async function startOn(kiln: TestKiln, device: string): Promise<number> {
  const d = await driveFor(kiln, device, await scan(kiln, hostOf.get(kiln)!, [device]));
  return startOne(kiln, d, { stages: ["surface_validate"] });
}

/** The job dir of a job's surface stage (seq 1: precheck is always first) on the shared host. */
function jobDir(kiln: TestKiln, jobId: number): string {
  return path.join(work, "jobs", `${jobId}-1-${installId(kiln.kiln.db)}`);
}

beforeAll(async () => {
  kilnA = await startTestKiln({ KILN_MAX_PARALLEL: "1" });
  kilnB = await startTestKiln();
  sshd = await startTestSshd({ authorizedKeys: [kilnA.publicKey, kilnB.publicKey] });
  work = makeTempDir("work");
  images = makeTempDir("images");
  await addHostTo(kilnA, "a");
  await addHostTo(kilnB, "b");
});

afterAll(async () => {
  await kilnA?.stop();
  await kilnB?.stop();
  await sshd?.dispose();
  for (const d of disks) d.detach();
  if (images) rmSync(images, { recursive: true, force: true });
});

describe("run identity", () => {
  it("never reads another install's finished job as this one's: a second Kiln's job 1 on a bad disk runs and fails", async () => {
    const good = createLoopDevice({ sizeMiB: 4 });
    const bad: BadDisk = createBadDisk({ sizeMiB: 4, badRanges: [{ startByte: 1 << 20, length: 8192 }] });
    disks.push(good, bad);
    const first = await startOn(kilnA, good.device);
    expect((await waitJob(kilnA, first, undefined, LONG)).status).toBe("passed");
    const second = await startOn(kilnB, bad.device);
    expect(second).toBe(first); // both installs number their jobs from 1
    const seen = watchBadblocks(bad.device);
    const job = await waitJob(kilnB, second, undefined, LONG);
    seen.stop();
    expect(job.status).toBe("failed");
    expect(job.badBlocks).toEqual(bad.badBlocks(4096));
    expect(seen.pids.size).toBeGreaterThanOrEqual(1);
    // Each install's run has its own dir, owned by that install.
    expect(readFileSync(path.join(jobDir(kilnB, second), "owner"), "utf8")).toContain(`install=${installId(kilnB.kiln.db)}`);
    expect(readFileSync(path.join(jobDir(kilnA, first), "owner"), "utf8")).toContain(`install=${installId(kilnA.kiln.db)}`);
  }, TEST_MS);
});

describe("no orphans", () => {
  it("re-reads a launch whose answer was lost (sessions killed when the pid file appears): one badblocks, right verdict", async () => {
    // The kill races the launch script's answer (it answers right after the pid file appears): on a
    // loaded machine the answer sometimes gets out first. Each attempt must give one badblocks and the
    // right verdict either way; at least one of up to three must have lost its answer.
    let lost = 0;
    for (let attempt = 0; attempt < 3 && lost === 0; attempt++) {
      const disk = createSlowDisk({ sizeMiB: 2, rateBytesPerSec: 1024 * 1024 });
      disks.push(disk);
      const seen = watchBadblocks(disk.device);
      await scan(kilnA, hostOf.get(kilnA)!, [disk]); // the connection whose sessions die
      const next = Number((kilnA.kiln.db.prepare("SELECT coalesce(max(id), 0) + 1 FROM jobs").pluck().get() as number));
      // A spinning watcher outside this process (whose event loop the Kilns share) kills every sshd
      // session the instant the wrapper's pid file appears, before the launch script can answer.
      const watcher = spawn("timeout", ["600", "sh", "-c", 'f=$1; shift; while [ ! -e "$f" ]; do :; done; kill -9 "$@"', "watch",
        path.join(jobDir(kilnA, next), "pid"), ...sshd.sessionPids().map(String)], { stdio: "ignore" });
      const killed = new Promise<number | null>((r) => watcher.once("exit", (code) => r(code)));
      const id = await startOn(kilnA, disk.device);
      expect(id).toBe(next);
      expect(await killed).toBe(0);
      const job = await waitJob(kilnA, id, undefined, LONG);
      seen.stop();
      if (job.notes.some((n) => /answer to the launch was lost/.test(n.text))) lost++;
      expect(job.status, JSON.stringify(job)).toBe("passed");
      expect(seen.pids.size).toBe(1);
    }
    expect(lost, "no attempt lost the launch's answer").toBeGreaterThan(0);
  }, 3 * TEST_MS);

  it("cancels while sshd is down: retried until the process is gone, the job says so, and it ends cancelled", async () => {
    const disk = createSlowDisk({ sizeMiB: 8, rateBytesPerSec: 512 * 1024 });
    disks.push(disk);
    const id = await startOn(kilnA, disk.device);
    await waitJob(kilnA, id, (j) => (j.surface?.phase ?? 0) >= 1, LONG);
    await sshd.stop();
    try {
      await cancel(kilnA, id);
      const pending = await waitJob(kilnA, id, (j) => j.notes.some((n) => /cancel pending/.test(n.text)), LONG);
      expect(pending.status).toMatch(/running|paused/);
      expect(pending.errorText).toMatch(/cancel pending/);
      expect(badblocksOn(disk.device)).toHaveLength(1); // the wipe goes on while the host cannot be told
    } finally {
      await sshd.start();
    }
    const job = await waitJob(kilnA, id, undefined, LONG);
    expect(job.status).toBe("cancelled");
    expect(badblocksOn(disk.device)).toEqual([]);
    expect(job.notes.some((n) => /cancel: the badblocks process is gone/.test(n.text))).toBe(true);
  }, TEST_MS);
});

describe("the launch re-checks the drive on the host", () => {
  it("refuses a queued job whose /dev/loopN now holds another image, and writes nothing to it", async () => {
    const blocker = createSlowDisk({ sizeMiB: 8, rateBytesPerSec: 512 * 1024 });
    const target: LoopDevice = createLoopDevice({ sizeMiB: 4 });
    disks.push(blocker, target);
    const running = await startOn(kilnA, blocker.device);
    await waitJob(kilnA, running, (j) => (j.surface?.phase ?? 0) >= 1, LONG);
    const queued = await startOn(kilnA, target.device);
    expect((await jobNow(kilnA, queued)).status).toBe("queued");
    const other = patternImage("queued-other.img", 4);
    const before = sha(other);
    attachOtherImage(target.device, other);
    await cancel(kilnA, running);
    const job = await waitJob(kilnA, queued, undefined, LONG);
    expect(job.status).toBe("failed");
    expect(job.errorText).toMatch(/refused to start badblocks: .* now backed by .*queued-other\.img, not by the confirmed/);
    expect(sha(other)).toBe(before);
  }, TEST_MS);

  it("refuses the resume after a host reboot when /dev/loopN holds another image, and writes nothing to it", async () => {
    const disk = createSlowDisk({ sizeMiB: 4, rateBytesPerSec: 1024 * 1024 });
    disks.push(disk);
    const id = await startOn(kilnA, disk.device);
    await waitJob(kilnA, id, (j) => (j.surface?.phase ?? 0) >= 2, LONG);
    // The "reboot": the host goes away, its processes die without an exit record, the loop devices
    // are set up again in another order.
    await sshd.stop();
    const dir = jobDir(kilnA, id);
    try {
      process.kill(-Number(readFileSync(path.join(dir, "pid"), "utf8").trim()), "SIGKILL");
    } catch {
      /* already gone */
    }
    for (let i = 0; i < 100 && badblocksOn(disk.device).length > 0; i++) await sleep(100);
    rmSync(path.join(dir, "exit"), { force: true });
    const other = patternImage("reboot-other.img", 4);
    const before = sha(other);
    attachOtherImage(disk.device, other);
    await sshd.start();
    const job = await waitJob(kilnA, id, undefined, LONG);
    expect(job.notes.some((n) => n.kind === "resume"), JSON.stringify(job.notes)).toBe(true);
    expect(job.status).toBe("failed");
    expect(job.errorText).toMatch(/refused to start badblocks: .* now backed by .*reboot-other\.img/);
    expect(sha(other)).toBe(before);
    expect(readdirSync(path.join(work, "jobs")).filter((d) => d.startsWith(`${id}-1-${installId(kilnA.kiln.db)}-r`))).toHaveLength(1);
  }, TEST_MS);
});
