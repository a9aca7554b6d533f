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
import { driveFor, hostWithDrives, startOne, waitJob } from "./helpers/api.js";
import { sleep } from "./helpers/wait.js";

let kiln: KilnProcess;
let sshd: TestSshd;
let work: string;
let slow: SlowDisk;

beforeAll(async () => {
  kiln = await kilnProcess();
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey] });
  work = makeTempDir("work");
  slow = createSlowDisk({ sizeMiB: 4, rateBytesPerSec: 1024 * 1024 });
  await kiln.start();
  await hostWithDrives(kiln, sshd, [slow], { name: "h", workDir: work });
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
    const id = await startOne(kiln, await driveFor(kiln, slow), { stages: ["surface_validate"], options: { patterns: ["0xaa", "0x55"] } });
    await waitJob(kiln, id, (j) => (j.surface?.phase ?? 0) >= 1, 240_000);
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

    const job = await waitJob(kiln, id, undefined, 240_000);
    const resumes = job.notes.filter((n) => n.kind === "resume");
    expect(resumes.length, JSON.stringify(job.notes)).toBe(1);
    expect(resumes[0]!.text).toMatch(/shrank[\s\S]*power loss/);
    expect(job.status, JSON.stringify(job.notes)).toBe("passed");
    expect(job.badBlocks).toEqual([]);
  }, 300_000);
});
