// The database is the queue: KILN_MAX_PARALLEL burn-ins per host run at once; the rest wait queued.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLoopDevice, createSlowDisk, startTestSshd, type LoopDevice, type TestSshd } from "./helpers/testhost.js";
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { cancel, driveFor, hostWithDrives, hosts, isTerminalJob, job, jobs as jobList, scan, startJobs, startRequest, waitJob, type JobSnapshot } from "./helpers/api.js";
import { sleep } from "./helpers/wait.js";
import { makeTempDir } from "./helpers/tempdir.js";

let kiln: TestKiln;
let sshd: TestSshd;
const disks: LoopDevice[] = [];

beforeAll(async () => {
  kiln = await startTestKiln({ KILN_MAX_PARALLEL: "1" });
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey] });
  disks.push(createLoopDevice({ sizeMiB: 16 }), createLoopDevice({ sizeMiB: 16 }));
  // Slow enough that the first job is still running while the other calls arrive.
  disks.push(createSlowDisk({ sizeMiB: 4, rateBytesPerSec: 1024 * 1024 }));
});

afterAll(async () => {
  await kiln?.stop();
  await sshd?.dispose();
  for (const d of disks) d.detach();
});

describe("the job queue", () => {
  it("runs at most KILN_MAX_PARALLEL jobs per host and starts the next when one ends", async () => {
    const { drives: ours } = await hostWithDrives(kiln, sshd, disks.slice(0, 2), { name: "q", workDir: makeTempDir("work") });
    const started = await startJobs(kiln, ours, { stages: ["surface_validate"] });
    const seen = new Set<string>();
    const until = Date.now() + 120_000;
    let jobs: JobSnapshot[] = [];
    // Every poll is checked (at most one running), so this loop is not helpers/wait.ts's until().
    while (Date.now() < until) {
      jobs = await Promise.all(started.map((j) => job(kiln, j.id)));
      seen.add(jobs.map((j) => j.status).join("/"));
      expect(jobs.filter((j) => j.status === "running").length).toBeLessThanOrEqual(1);
      if (jobs.every(isTerminalJob)) break;
      await sleep(100);
    }
    expect(jobs.map((j) => j.status)).toEqual(["passed", "passed"]);
    expect(seen.has("running/queued")).toBe(true);
    expect(Date.parse(jobs[1]!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(jobs[0]!.finishedAt!));
    expect(jobs[0]!.batchId).toBe(jobs[1]!.batchId);
  });

  it("starts exactly one job when the same drive is started by many concurrent calls", async () => {
    const [host] = await hosts(kiln);
    const d = await driveFor(kiln, disks[2]!, await scan(kiln, host!.id, [disks[2]!]));
    const calls = await Promise.all(
      Array.from({ length: 6 }, () => kiln.api("POST", "/api/v1/burnin/start", startRequest([d], { stages: ["surface_validate"] }))),
    );
    expect(calls.filter((c) => c.status === 202), JSON.stringify(calls.map((c) => c.body))).toHaveLength(1);
    expect(calls.filter((c) => c.status === 409)).toHaveLength(5);
    const active = (await jobList(kiln, `driveId=${d.id}`)).filter((j) => !isTerminalJob(j));
    expect(active).toHaveLength(1);
    await cancel(kiln, active[0]!.id);
    await waitJob(kiln, active[0]!.id);
  });
});
