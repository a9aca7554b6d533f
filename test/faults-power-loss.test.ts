// Issue 9, item 4: a power loss that cut the log short resumes instead of giving up. Kiln runs as a
// child process and is held stopped (SIGSTOP) while the "host loses power": badblocks' process group
// is SIGKILLed, the exit file is gone and the log is cut below the offset Kiln had read, so no read
// can land halfway through the fault. Real sshd, badblocks and a rate-limited nbdkit disk.
import { readFileSync, readdirSync, rmSync, truncateSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSlowDisk, startTestSshd, type SlowDisk, type TestSshd } from "./helpers/testhost.js";
import { kilnProcess, type KilnProcess } from "./helpers/kiln-process.js";
import { makeTempDir } from "./helpers/tempdir.js";

let kiln: KilnProcess;
let sshd: TestSshd;
let work: string;
let slow: SlowDisk;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForJob(id: number, done: (j: any) => boolean, ms = 240_000): Promise<any> {
  const end = Date.now() + ms;
  let job: any;
  do {
    job = (await kiln.api("GET", `/api/v1/jobs/${id}`)).body;
    if (done(job)) return job;
    await sleep(250);
  } while (Date.now() < end);
  throw new Error(`job ${id} did not get there; last: ${JSON.stringify(job)}`);
}

beforeAll(async () => {
  kiln = await kilnProcess();
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey] });
  work = makeTempDir("work");
  slow = createSlowDisk({ sizeMiB: 4, rateBytesPerSec: 1024 * 1024 });
  await kiln.start();
  const host = await kiln.api("POST", "/api/v1/hosts", { name: "h", address: "127.0.0.1", port: sshd.port, username: "root", workDir: work, includeLoopDevices: true });
  expect(host.status).toBe(201);
  await kiln.api("POST", `/api/v1/hosts/${host.body.id}/scan`);
});

afterAll(async () => {
  await kiln?.dispose();
  await sshd?.dispose();
  slow?.detach();
  if (work) rmSync(work, { recursive: true, force: true });
  if (kiln) rmSync(kiln.dataDir, { recursive: true, force: true });
});

describe("a power loss that cut the log short", () => {
  it("resumes from the saved parser state when the log shrank below the saved offset, the process gone and no exit status", async () => {
    const d = ((await kiln.api("GET", "/api/v1/drives")).body as any[]).find((x) => x.devPath === slow.device);
    const start = await kiln.api("POST", "/api/v1/burnin/start", { driveIds: [d.id], confirm: [d.confirmName], stages: ["surface_validate"], options: { patterns: ["0xaa", "0x55"] } });
    expect(start.status, JSON.stringify(start.body)).toBe(202);
    const id = start.body.jobs[0].id as number;
    await waitForJob(id, (j) => (j.surface?.phase ?? 0) >= 1);
    const dir = path.join(work, "jobs", readdirSync(path.join(work, "jobs")).filter((x) => x.startsWith(`${id}-`)).sort()[0]!);
    const log = path.join(dir, "progress.log");
    // The fault lands right as the verify phase starts (watched on the host's own log), so Kiln's last
    // read and badblocks' real position are in the same phase.
    for (const end = Date.now() + 60_000; !readFileSync(log, "latin1").includes("Reading and comparing") && Date.now() < end; ) await sleep(20);
    process.kill(kiln.pid, "SIGSTOP");
    try {
      await sleep(500); // a read already on the host finishes; its answer waits in Kiln
      try {
        process.kill(-Number(readFileSync(path.join(dir, "pid"), "utf8").trim()), "SIGKILL");
      } catch {
        /* already gone */
      }
      await sleep(300);
      rmSync(path.join(dir, "exit"), { force: true });
      truncateSync(log, 20); // Kiln has read far more than this by now: the whole write phase

    } finally {
      process.kill(kiln.pid, "SIGCONT");
    }

    const job = await waitForJob(id, (j) => ["passed", "failed", "cancelled", "unknown"].includes(j.status));
    const resumes = job.notes.filter((n: any) => n.kind === "resume");
    expect(resumes.length, JSON.stringify(job.notes)).toBe(1);
    expect(resumes[0].text).toMatch(/shrank[\s\S]*power loss/);
    expect(job.status, JSON.stringify(job.notes)).toBe("passed");
    expect(job.badBlocks).toEqual([]);
  }, 300_000);
});
