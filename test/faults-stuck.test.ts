// Stuck detection: badblocks alive but silent (stopped from outside Kiln) → a warning on the job
// after KILN_STUCK_WARN_MINUTES, and past KILN_STUCK_LIMIT_MINUTES the job ends `unknown` and its
// process group is stopped, so the disk is free for a new run. Never `passed`.
// Slow (~30 s): a stopped badblocks must stay silent past the warning (3 s) and the limit (20 s).
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSlowDisk, startTestSshd, type SlowDisk, type TestSshd } from "./helpers/testhost.js";
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { hostWithDrives, startOne, waitJob } from "./helpers/api.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { until } from "./helpers/wait.js";

let kiln: TestKiln;
let sshd: TestSshd;
let disk: SlowDisk;
let work: string;

beforeAll(async () => {
  // Warn after 3 s of silence, give up after 20 s (production defaults: 30 min and 24 h): a wide
  // window, so that a poll delayed by a loaded machine still falls between the two.
  kiln = await startTestKiln({ KILN_STUCK_WARN_MINUTES: "0.05", KILN_STUCK_LIMIT_MINUTES: "0.34" });
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey] });
  disk = createSlowDisk({ sizeMiB: 4, rateBytesPerSec: 1024 * 1024 });
  work = makeTempDir("work");
});

afterAll(async () => {
  await kiln?.stop();
  await sshd?.dispose();
  disk?.detach();
});

function badblocksOn(device: string): number {
  try {
    return execFileSync("pgrep", ["-f", `^badblocks .*${device}$`], { encoding: "utf8" }).trim().split("\n").filter(Boolean).length;
  } catch {
    return 0;
  }
}

describe("stuck detection", () => {
  it("warns, then ends unknown and stops the process when badblocks stays silent", async () => {
    const { drives: [d] } = await hostWithDrives(kiln, sshd, [disk], { name: "s", workDir: work });
    const id = await startOne(kiln, d!, { stages: ["surface_validate"] });
    await waitJob(kiln, id, (j) => (j.surface?.phase ?? 0) >= 1);
    const dir = readdirSync(path.join(work, "jobs")).find((x) => x.startsWith(`${id}-`))!;
    const pgid = Number(readFileSync(path.join(work, "jobs", dir, "pid"), "utf8").trim());
    process.kill(-pgid, "SIGSTOP"); // alive, but silent: as a hung disk would be
    const job = await waitJob(kiln, id, undefined, 240_000);
    expect(job.status).toBe("unknown");
    expect(job.errorText).toMatch(/stuck/);
    // The job's own record says the order (not what a poll happened to see): warned, then stopped, then ended.
    const kinds = job.notes.map((n) => n.kind);
    expect(kinds).toContain("stuck");
    expect(kinds.indexOf("stuck")).toBeLessThan(kinds.indexOf("stopped"));
    expect(kinds.indexOf("stopped")).toBeLessThan(kinds.lastIndexOf("ended"));
    await until("no badblocks left on the disk", () => badblocksOn(disk.device) === 0, { timeoutMs: 60_000 });
  }, 400_000);
});
