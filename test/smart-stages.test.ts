// The SMART stages end to end through the API on the real test host (sshd on loopback, badblocks
// on loop devices). Loop devices cannot answer SMART, so the host's PATH starts with a smartctl
// stand-in for drive hardware that answers per device from documented-schema fixtures and counts
// self-tests down in real time; everything else is real.
// Slow (~75 s): six burn-ins with real badblocks runs and the stand-in's self-tests counting down in real time (2-3 s each, 120 s for the ones cancelled); one test host for all.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLoopDevice, startTestSshd, type LoopDevice, type TestSshd } from "./helpers/testhost.js";
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { driveFor as driveOn, hostWithDrives, isTerminalJob, stageOf as stage, startOne, waitJob } from "./helpers/api.js";
import { installSmartctlStandIn, smartFixturePath, type SmartctlStandIn } from "./helpers/smartctl-standin.js";
import { makeTempDir } from "./helpers/tempdir.js";

let kiln: TestKiln;
let sshd: TestSshd;
let standIn: SmartctlStandIn;
let workDir: string;
const disks: Record<"pass" | "grow" | "cancel" | "busy" | "failing" | "plain", LoopDevice> = {} as never;
const HEALTHY = smartFixturePath("ata-healthy");

const driveFor = (device: string) => driveOn(kiln, device);
const start = async (device: string, stages?: string[]) => startOne(kiln, await driveFor(device), { stages });
const actions = (device: string) => standIn.calls(device).filter((c) => c.action !== "read").map((c) => `${c.action}:${c.kind ?? ""}`);

beforeAll(async () => {
  kiln = await startTestKiln();
  standIn = installSmartctlStandIn();
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey], pathPrefix: standIn.binDir });
  workDir = makeTempDir("work");
  for (const k of ["pass", "grow", "cancel", "busy", "failing", "plain"] as const) disks[k] = createLoopDevice({ sizeMiB: 8 });
  standIn.set(disks.pass.device, { fixture: HEALTHY, serial: "KILN-E2E-PASS", temperatureC: 36, shortSeconds: 2, longSeconds: 3 });
  standIn.set(disks.grow.device, { fixture: HEALTHY, serial: "KILN-E2E-GROW", temperatureC: 37, shortSeconds: 2, longSeconds: 3 });
  standIn.set(disks.cancel.device, { fixture: HEALTHY, serial: "KILN-E2E-CANCEL", temperatureC: 35, longSeconds: 120 });
  standIn.set(disks.busy.device, { fixture: HEALTHY, serial: "KILN-E2E-BUSY", temperatureC: 35, shortSeconds: 2, longSeconds: 120 });
  standIn.set(disks.failing.device, { fixture: smartFixturePath("nvme-healthy"), serial: "KILN-E2E-NVME", shortSeconds: 2, selfTestFails: true });
  await hostWithDrives(kiln, sshd, Object.values(disks), { name: "smart-host", workDir });
});

afterAll(async () => {
  await kiln?.stop();
  await sshd?.dispose();
  for (const d of Object.values(disks)) d?.detach();
  standIn?.dispose();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe("SMART stages on the test host", () => {
  it("scans the stand-in's loop devices as SMART drives with their serials", async () => {
    const d = await driveFor(disks.pass.device);
    expect([d.serial, d.confirmName, d.smartAvailable, d.temperatureC]).toEqual(["KILN-E2E-PASS", "KILN-E2E-PASS", true, 36]);
    expect(standIn.calls(disks.pass.device).some((c) => c.action === "read" && c.args.join(" ").includes("-n standby -i -A"))).toBe(true);
    const plain = await driveFor(disks.plain.device);
    expect(plain.smartAvailable).toBe(false);
    expect(standIn.calls(disks.plain.device).every((c) => c.action === "real")).toBe(true);
  });

  it("passes all five stages on a SMART drive, each self-test finished by its log entry", async () => {
    const id = await start(disks.pass.device);
    const job = await waitJob(kiln, id, undefined, 240_000);
    expect(job.status, JSON.stringify(job)).toBe("passed");
    expect(job.stages.map((s) => [s.name, s.status])).toEqual([
      ["precheck", "passed"], ["smart_short", "passed"], ["surface_validate", "passed"], ["smart_long", "passed"], ["final_check", "passed"],
    ]);
    expect(actions(disks.pass.device)).toEqual(["start:short", "start:long"]);
    // Each self-test stage ended only after the drive's test had run its full time and been logged.
    const starts = standIn.calls(disks.pass.device).filter((c) => c.action === "start");
    expect(Date.parse(stage(job, "smart_short").finishedAt!)).toBeGreaterThanOrEqual(starts[0]!.at + 2000);
    expect(Date.parse(stage(job, "smart_long").finishedAt!)).toBeGreaterThanOrEqual(starts[1]!.at + 3000);
    const kinds = kiln.kiln.db.prepare("SELECT kind FROM smart_snapshots WHERE job_id = ? ORDER BY id").pluck().all(id);
    expect(kinds).toEqual(["before", "after"]);
    const notes = job.notes.map((n) => n.text).join("\n");
    expect(notes).toMatch(/short self-test started/);
    expect(notes).toMatch(/SMART verdict passed/);
  });

  it("fails final_check when pending sectors grew during the run, listing 197 before → after", async () => {
    const id = await start(disks.grow.device);
    await waitJob(kiln, id, (j) => stage(j, "precheck").status === "passed" || isTerminalJob(j), 180_000);
    standIn.set(disks.grow.device, { fixture: smartFixturePath("ata-pending-grown"), serial: "KILN-E2E-GROW", temperatureC: 37, shortSeconds: 2, longSeconds: 3 });
    const job = await waitJob(kiln, id, undefined, 240_000);
    expect(job.status).toBe("failed");
    expect(stage(job, "surface_validate").status).toBe("passed");
    expect(stage(job, "smart_long").status).toBe("passed");
    expect(stage(job, "final_check").status).toBe("failed");
    expect(stage(job, "final_check").errorText).toContain("Current_Pending_Sector (197) 0 → 8");
    expect(job.errorText).toMatch(/^final_check: /);
  });

  it("aborts the drive's long self-test with smartctl -X when the job is cancelled", async () => {
    const id = await start(disks.cancel.device, ["precheck", "smart_long"]);
    await waitJob(kiln, id, (j) => stage(j, "smart_long").percent > 0 || isTerminalJob(j), 180_000);
    expect(actions(disks.cancel.device)).toEqual(["start:long"]);
    expect((await kiln.api("POST", `/api/v1/jobs/${id}/cancel`)).status).toBe(202);
    const job = await waitJob(kiln, id, undefined, 120_000);
    expect(job.status).toBe("cancelled");
    expect(stage(job, "smart_long").status).toBe("cancelled");
    expect(actions(disks.cancel.device)).toEqual(["start:long", "abort:long"]);
    const after = spawnSync(`${standIn.binDir}/smartctl`, ["--json", "-c", "-l", "selftest", disks.cancel.device], { encoding: "utf8" });
    expect(JSON.parse(after.stdout).ata_smart_self_test_log.standard.table[0].status.string).toBe("Aborted by host");
  });

  it("aborts a self-test it did not start, says why, and runs its own", async () => {
    const foreign = spawnSync(`${standIn.binDir}/smartctl`, ["--json", "-t", "long", disks.busy.device], { encoding: "utf8" });
    expect(foreign.status).toBe(0);
    const id = await start(disks.busy.device, ["precheck", "smart_short"]);
    const job = await waitJob(kiln, id, undefined, 180_000);
    expect(job.status, JSON.stringify(job)).toBe("passed");
    expect(actions(disks.busy.device)).toEqual(["start:long", "abort:long", "start:short"]);
    expect(job.notes.map((n) => n.text).join("\n")).toMatch(/a self-test this job did not start was running .*aborted it/);
  });

  it("fails smart_short with the drive's own words when an NVMe self-test fails, and skips the rest", async () => {
    const id = await start(disks.failing.device);
    const job = await waitJob(kiln, id, undefined, 180_000);
    expect(job.status).toBe("failed");
    expect(stage(job, "smart_short")).toMatchObject({ status: "failed", errorText: "the short self-test failed: Short: Completed: failed segments" });
    expect(["surface_validate", "smart_long", "final_check"].map((n) => stage(job, n).status)).toEqual(["skipped", "skipped", "skipped"]);
    expect(actions(disks.failing.device)).toEqual(["start:short"]);
  });

  it("skips the SMART stages on a loop device without SMART and rests the verdict on the surface test", async () => {
    const id = await start(disks.plain.device);
    const job = await waitJob(kiln, id, undefined, 240_000);
    expect(job.status).toBe("passed");
    expect(stage(job, "surface_validate").status).toBe("passed");
    for (const name of ["smart_short", "smart_long", "final_check"]) {
      expect(stage(job, name).status).toBe("skipped");
      expect(stage(job, name).errorText).toMatch(/rests on the surface test alone/);
    }
    expect(standIn.calls(disks.plain.device).every((c) => c.action === "real")).toBe(true);
  });
});
