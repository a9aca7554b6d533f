// Issue 9: exact verdicts under faults, with real processes (Kiln, Debian's sshd on 127.0.0.1, real
// badblocks on loop devices behind nbdkit). A power loss that cut the log short resumes instead of
// giving up (item 4).
import { execFileSync } from "node:child_process";
import { readdirSync, rmSync, statSync, truncateSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSlowDisk, startTestSshd, type SlowDisk, type TestSshd } from "./helpers/testhost.js";
import { isTerminalJob, startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { makeTempDir } from "./helpers/tempdir.js";

let kiln: TestKiln;
let sshd: TestSshd;
let work: string;
let slow: SlowDisk;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startOn(device: string, options: object = {}): Promise<number> {
  const drives = (await kiln.api("GET", "/api/v1/drives")).body as any[];
  const d = drives.find((x) => x.devPath === device);
  const res = await kiln.api("POST", "/api/v1/burnin/start", { driveIds: [d.id], confirm: [d.confirmName], stages: ["surface_validate"], options });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.jobs[0].id;
}

/** The job's first run directory on the host (resume segments get their own, suffixed ones). */
function firstRunDir(jobId: number): string {
  const dirs = readdirSync(path.join(work, "jobs")).filter((d) => d.startsWith(`${jobId}-`)).sort();
  return path.join(work, "jobs", dirs[0]!);
}

beforeAll(async () => {
  kiln = await startTestKiln();
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey] });
  work = makeTempDir("work");
  slow = createSlowDisk({ sizeMiB: 4, rateBytesPerSec: 2 * 1024 * 1024 });
  const host = await kiln.api("POST", "/api/v1/hosts", { name: "h", address: "127.0.0.1", port: sshd.port, username: "root", workDir: work, includeLoopDevices: true });
  await kiln.api("POST", `/api/v1/hosts/${host.body.id}/scan`);
});

afterAll(async () => {
  await kiln?.stop();
  await sshd?.dispose();
  slow?.detach();
});

describe("a power loss that cut the log short", () => {
  it("resumes from the saved parser state when the log shrank below the saved offset, the process gone and no exit status", async () => {
    const id = await startOn(slow.device, { patterns: ["0xaa", "0x55"] });
    await kiln.waitForJob(id, (j) => (j.surface?.phase ?? 0) >= 2);
    const dir = firstRunDir(id);
    const pgid = Number(execFileSync("cat", [path.join(dir, "pid")], { encoding: "utf8" }).trim());
    // The host goes down (no read can land in between), everything on it dies, and the log's unflushed
    // tail is lost: it comes back shorter than what Kiln had read, with no exit file.
    await sshd.stop();
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      /* already gone */
    }
    await sleep(500);
    rmSync(path.join(dir, "exit"), { force: true });
    const log = path.join(dir, "progress.log");
    truncateSync(log, Math.min(40, Math.floor(statSync(log).size / 2)));
    await sshd.start();
    const job = await kiln.waitForJob(id, isTerminalJob, 240_000);
    const resumes = job.notes.filter((n: any) => n.kind === "resume");
    expect(resumes.length, JSON.stringify(job.notes)).toBe(1);
    expect(resumes[0].text).toMatch(/shrank[\s\S]*power loss/);
    expect(job.status, job.errorText).toBe("passed");
    expect(job.badBlocks).toEqual([]);
  }, 300_000);
});
