// The first whole capability through the HTTP API, all real: sshd on loopback, badblocks on loop
// devices, a disk with unreadable sectors, a mounted ext4, a real SQLite file.
// Slow (~35 s): whole burn-ins through the API on real disks; the SSE test needs a slow disk (1 MiB/s) so the job runs across many commits.
import { existsSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBadDisk, createLoopDevice, createMountedExt4, createSlowDisk, startTestSshd, type TestSshd } from "./helpers/testhost.js";
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { addHost, driveFor as driveOn, host, job, scan, stageOf, startOne, startRequest, waitJob } from "./helpers/api.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { openSse } from "./helpers/sse.js";
import { TEST_TOKEN } from "./helpers/kiln.js";

let kiln: TestKiln;
let sshd: TestSshd;
let workDir: string;
let hostId: number;
const disks: Record<string, { device: string; detach(): void; badBlocks?: (bs: number) => number[] }> = {};

function badblocksOn(device: string): string[] {
  try {
    return execFileSync("pgrep", ["-af", `badblocks .*${device}( |$)`], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

const driveFor = (device: string) => driveOn(kiln, device);

beforeAll(async () => {
  kiln = await startTestKiln();
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey] });
  workDir = makeTempDir("work");
  disks.good = createLoopDevice({ sizeMiB: 8 });
  disks.bad = createBadDisk({ sizeMiB: 8, badRanges: [{ startByte: 3 * 1024 * 1024, length: 8192 }] });
  disks.mounted = createMountedExt4({ sizeMiB: 16 });
  disks.slow = createSlowDisk({ sizeMiB: 4, rateBytesPerSec: 1024 * 1024 });
});

afterAll(async () => {
  await kiln?.stop();
  await sshd?.dispose();
  for (const d of Object.values(disks)) d.detach();
  rmSync(workDir, { recursive: true, force: true });
});

describe("a burn-in through the API", () => {
  it("adds the host and pins the host key it was shown", async () => {
    const added = await addHost(kiln, sshd, { name: "test-host", workDir });
    expect(added.hostKeyFingerprint).toBe(sshd.hostKeyFingerprint);
    hostId = added.id;
    const key = await kiln.api<{ publicKey: string }>("GET", "/api/v1/ssh-key");
    expect(key.body.publicKey).toBe(kiln.publicKey);
  });

  it("scans the drives and says why the mounted one is in use", async () => {
    await scan(kiln, hostId, Object.values(disks));
    const mounted = await driveFor(disks.mounted!.device);
    expect(mounted.inUse?.reason).toMatch(/^mounted at /);
    const good = await driveFor(disks.good!.device);
    expect(good.inUse).toBeNull();
    expect(good.confirmName).toBe(good.devName);
  });

  it("refuses a start without the typed confirmation, or with a wrong one", async () => {
    const good = await driveFor(disks.good!.device);
    const none = await kiln.api("POST", "/api/v1/burnin/start", { driveIds: [good.id], confirm: [] });
    expect(none.status).toBe(400);
    const wrong = await kiln.api("POST", "/api/v1/burnin/start", { driveIds: [good.id], confirm: ["sda"] });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatch(/confirmation/);
    expect(badblocksOn(disks.good!.device)).toEqual([]);
  });

  it("refuses the mounted disk with its reason and never starts badblocks on it", async () => {
    const mounted = await driveFor(disks.mounted!.device);
    const res = await kiln.api("POST", "/api/v1/burnin/start", startRequest([mounted]));
    expect(res.status).toBe(409);
    expect(res.body.error).toMatch(/mounted at/);
    expect(badblocksOn(disks.mounted!.device)).toEqual([]);
    const jobs = await kiln.api("GET", `/api/v1/jobs?driveId=${mounted.id}`);
    expect(jobs.body).toEqual([]);
  });

  it("passes the good disk with 0 bad blocks", async () => {
    const good = await driveFor(disks.good!.device);
    const id = await startOne(kiln, good);
    const ended = await waitJob(kiln, id);
    expect(ended.status).toBe("passed");
    expect(ended.badBlocks).toEqual([]);
    expect(ended.percent).toBe(100);
    expect(stageOf(ended, "surface_validate").status).toBe("passed");
    expect(stageOf(ended, "smart_short").status).toBe("skipped");
    expect(ended.surface!.phase).toBe(8);
    expect(ended.smart.rows).toEqual([]); // a loop device has no SMART
    expect(ended.temperatureLimits).toEqual({ pauseAtC: 55, resumeAtC: 48 });
    const samples = await kiln.api("GET", `/api/v1/jobs/${id}/samples`);
    expect(samples.status).toBe(200);
    expect(samples.body.length).toBeGreaterThanOrEqual(1);
    expect(samples.body[0]).toMatchObject({ percent: expect.any(Number) });
  });

  it("fails the bad disk listing exactly the injected blocks", async () => {
    const bad = await driveFor(disks.bad!.device);
    const id = await startOne(kiln, bad, { stages: ["precheck", "surface_validate"] });
    const ended = await waitJob(kiln, id, undefined, 300_000);
    expect(ended.status).toBe("failed");
    expect(ended.badBlocks).toEqual(disks.bad!.badBlocks!(4096));
    expect(ended.errorText).toMatch(/bad blocks/);
  });

  it("streams the phases over SSE in order while the job runs", async () => {
    // What SSE delivers is a sample: the reader commits (and publishes) at most once per gate, so a
    // phase may begin and end between two events. The phases the job went through come from its
    // committed record (the saved parser state: when each phase started and ended); the stream is
    // checked only for what it guarantees: snapshots in commit order, never going backwards.
    const slow = await driveFor(disks.slow!.device);
    const sse = await openSse(`${kiln.url}/api/v1/events`, { authorization: `Bearer ${TEST_TOKEN}` });
    try {
      const id = await startOne(kiln, slow, { stages: ["surface_validate"] });
      await sse.waitFor((e) => e.event === "job" && e.data.id === id && e.data.status === "passed", 180_000);
      const snaps = sse.events.filter((e) => e.event === "job" && e.data.id === id).map((e) => e.data);

      const committed = await job(kiln, id);
      expect(committed.status).toBe("passed");
      expect(committed.surface!.phase).toBe(8);
      expect(committed.surface!.phaseCount).toBe(8);
      // every one of the 8 phases has a recorded start and end: it ran, in badblocks' own order
      expect(committed.surface!.phaseSeconds.map((s) => s !== null)).toEqual(Array(8).fill(true));

      const phases = snaps.map((j) => j.surface.phase as number);
      expect(phases.every((p) => p >= 0 && p <= 8)).toBe(true);
      expect(phases).toEqual([...phases].sort((a, b) => a - b));
      expect(phases.at(-1)).toBe(8);
      // the slow disk (1 MiB/s, 4 MiB: seconds per phase) keeps the job running across many
      // commits, so the stream shows it running before it ends
      expect(snaps.some((j) => j.status === "running" && j.surface.phase >= 1)).toBe(true);
      const percents = snaps.map((j) => j.percent);
      for (let i = 1; i < percents.length; i++) expect(percents[i]).toBeGreaterThanOrEqual(percents[i - 1]);
      expect(snaps.filter((j) => j.status !== "passed").every((j) => j.percent < 100)).toBe(true);
      expect(sse.events.some((e) => e.event === "drive")).toBe(true);
    } finally {
      sse.close();
    }
  });

  it("refuses a second job on a busy drive, and cancel leaves no badblocks on the host", async () => {
    const slow = await driveFor(disks.slow!.device);
    const id = await startOne(kiln, slow, { stages: ["surface_validate"] });
    await waitJob(kiln, id, (j) => j.status === "running" && (j.surface?.phase ?? 0) >= 1, 180_000);
    expect(badblocksOn(disks.slow!.device)).toHaveLength(1);
    const again = await kiln.api("POST", "/api/v1/burnin/start", startRequest([slow], { stages: ["surface_validate"] }));
    expect(again.status).toBe(409);
    const cancel = await kiln.api("POST", `/api/v1/jobs/${id}/cancel`);
    expect(cancel.status).toBe(202);
    const ended = await waitJob(kiln, id, undefined, 180_000);
    expect(ended.status).toBe("cancelled");
    expect(badblocksOn(disks.slow!.device)).toEqual([]);
  });

  it("stops everything on a host whose key changed", async () => {
    const oldFp = sshd.hostKeyFingerprint;
    const newFp = await sshd.rotateHostKey();
    expect(newFp).not.toBe(oldFp);
    // Drop the pooled connection so the next exec must present the new key.
    kiln.kiln.registry.drop(hostId);
    const refusedScan = await kiln.api("POST", `/api/v1/hosts/${hostId}/scan`);
    expect(refusedScan.status).toBe(409);
    expect((await host(kiln, hostId)).status).toBe("untrusted");
    const good = await driveFor(disks.good!.device);
    const start = await kiln.api("POST", "/api/v1/burnin/start", startRequest([good]));
    expect(start.status).toBe(409);
    expect(start.body.error).toMatch(/untrusted/);
    expect(badblocksOn(disks.good!.device)).toEqual([]);
    // The operator must type the fingerprint the host shows; a wrong one changes nothing.
    const wrong = await kiln.api("POST", `/api/v1/hosts/${hostId}/repin`, { fingerprint: oldFp });
    expect(wrong.status).toBe(409);
    expect(wrong.body.error).toMatch(/nothing was changed/);
    const after = await host(kiln, hostId);
    expect(after).toMatchObject({ status: "untrusted", hostKeyFingerprint: oldFp });
    expect((await kiln.api("POST", `/api/v1/hosts/${hostId}/repin`, { fingerprint: "no fingerprint here" })).status).toBe(400);
    expect((await kiln.api("POST", `/api/v1/hosts/${hostId}/scan`)).status).toBe(409);
    // Pasted as `ssh-keygen -lf` prints it.
    const repin = await kiln.api("POST", `/api/v1/hosts/${hostId}/repin`, { fingerprint: `256 ${newFp} root@testhost (ED25519)` });
    expect(repin.status).toBe(200);
    expect(repin.body.hostKeyFingerprint).toBe(newFp);
    const audit = (await kiln.api("GET", "/api/v1/audit?action=host.repin")).body as any[];
    expect(audit[0]).toMatchObject({ target: `host:${hostId}`, detail: { old: oldFp, new: newFp } });
    expect(audit).toHaveLength(1);
    await scan(kiln, hostId, Object.values(disks));
  });
});

describe("hostile input", () => {
  const sentinel = "/tmp/kiln-test-pwned";
  const hostile = ["x;touch /tmp/kiln-test-pwned", "$(touch /tmp/kiln-test-pwned)", "a'b\"c", "with space", "new\nline", "`touch /tmp/kiln-test-pwned`"];

  it("rejects hostile work dirs, names and users with 400 and runs nothing", async () => {
    for (const bad of hostile) {
      for (const field of ["workDir", "username", "address", "name"]) {
        if (field === "name" && bad === "with space") continue; // a display name may hold spaces; it never reaches a shell
        const body: any = { name: "h2", address: "127.0.0.1", port: sshd.port, username: "root", workDir, [field]: bad };
        const res = await kiln.api("POST", "/api/v1/hosts", body);
        expect(res.status, `${field}=${JSON.stringify(bad)}`).toBe(400);
        expect(typeof res.body.error).toBe("string");
      }
    }
    expect(existsSync(sentinel)).toBe(false);
  });

  it("rejects hostile burn-in options and ids", async () => {
    const good = await driveFor(disks.good!.device);
    for (const patterns of [["0xaa;reboot"], ["$(id)"], ["0xaa", "0x55", "0xff", "0x00", "0x11"]]) {
      const res = await kiln.api("POST", "/api/v1/burnin/start", { driveIds: [good.id], confirm: [good.confirmName], options: { patterns } });
      expect(res.status).toBe(400);
    }
    const ids = await kiln.api("POST", "/api/v1/burnin/start", { driveIds: ["1;rm -rf /"], confirm: ["x"] });
    expect(ids.status).toBe(400);
    const extra = await kiln.api("POST", "/api/v1/burnin/start", { driveIds: [good.id], confirm: [good.confirmName], options: { device: "/dev/sda" } });
    expect(extra.status).toBe(400);
    expect(badblocksOn(disks.good!.device)).toEqual([]);
    expect(existsSync(sentinel)).toBe(false);
  });

  it("answers malformed JSON and oversized bodies with clear 4xx errors", async () => {
    const malformed = await kiln.api("POST", "/api/v1/burnin/start", "{ not json");
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/malformed JSON/);
    const big = await kiln.api("POST", "/api/v1/hosts", JSON.stringify({ name: "x".repeat(200_000) }));
    expect(big.status).toBe(413);
  });

  it("requires authentication for everything but /health", async () => {
    const health = await fetch(`${kiln.url}/health`);
    expect(health.status).toBe(200);
    expect((await health.json()).status).toBe("ok");
    for (const p of ["/api/v1/hosts", "/api/v1/drives", "/api/v1/jobs", "/api/v1/ssh-key"]) {
      expect((await fetch(kiln.url + p)).status).toBe(401);
    }
    const wrong = await fetch(`${kiln.url}/api/v1/hosts`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    const page = await fetch(`${kiln.url}/`, { redirect: "manual" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/login");
  });
});
