// The database is the queue: KILN_MAX_PARALLEL burn-ins per host run at once; the rest wait queued.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLoopDevice, createSlowDisk, startTestSshd, type LoopDevice, type TestSshd } from "./helpers/testhost.js";
import { isTerminalJob, startTestKiln, type TestKiln } from "./helpers/kiln.js";
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
    const host = await kiln.api("POST", "/api/v1/hosts", {
      name: "q", address: "127.0.0.1", port: sshd.port, username: "root", workDir: makeTempDir("work"), includeLoopDevices: true,
    });
    const drives = (await kiln.api("POST", `/api/v1/hosts/${host.body.id}/scan`)).body as any[];
    const ours = disks.slice(0, 2).map((d) => drives.find((x) => x.devPath === d.device));
    const res = await kiln.api("POST", "/api/v1/burnin/start", {
      driveIds: ours.map((d) => d.id), confirm: ours.map((d) => d.confirmName), stages: ["surface_validate"],
    });
    expect(res.status).toBe(202);
    const [a, b] = res.body.jobs.map((j: any) => j.id);
    const seen = new Set<string>();
    const until = Date.now() + 120_000;
    let jobs: any[] = [];
    while (Date.now() < until) {
      jobs = await Promise.all([a, b].map(async (id) => (await kiln.api("GET", `/api/v1/jobs/${id}`)).body));
      seen.add(jobs.map((j) => j.status).join("/"));
      expect(jobs.filter((j) => j.status === "running").length).toBeLessThanOrEqual(1);
      if (jobs.every(isTerminalJob)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(jobs.map((j) => j.status)).toEqual(["passed", "passed"]);
    expect(seen.has("running/queued")).toBe(true);
    expect(Date.parse(jobs[1].startedAt)).toBeGreaterThanOrEqual(Date.parse(jobs[0].finishedAt));
    expect(jobs[0].batchId).toBe(jobs[1].batchId);
  });

  it("starts exactly one job when the same drive is started by many concurrent calls", async () => {
    const hostId = ((await kiln.api("GET", "/api/v1/hosts")).body as any[])[0].id;
    const drives = (await kiln.api("POST", `/api/v1/hosts/${hostId}/scan`)).body as any[];
    const d = drives.find((x) => x.devPath === disks[2]!.device);
    const calls = await Promise.all(
      Array.from({ length: 6 }, () => kiln.api("POST", "/api/v1/burnin/start", { driveIds: [d.id], confirm: [d.confirmName], stages: ["surface_validate"] })),
    );
    expect(calls.filter((c) => c.status === 202), JSON.stringify(calls.map((c) => c.body))).toHaveLength(1);
    expect(calls.filter((c) => c.status === 409)).toHaveLength(5);
    const active = ((await kiln.api("GET", `/api/v1/jobs?driveId=${d.id}`)).body as any[]).filter((j) => !isTerminalJob(j));
    expect(active).toHaveLength(1);
    await kiln.api("POST", `/api/v1/jobs/${active[0].id}/cancel`);
    await kiln.waitForJob(active[0].id, isTerminalJob);
  });
});
