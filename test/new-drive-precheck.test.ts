// "Is it really new?" end to end: precheck on the real test host reads SMART and, for a Seagate
// drive with smartctl 7.4, FARM, through the smartctl stand-in for drive hardware. The stand-in
// answers are built here at test time from real captures in ../shared/fixtures (read in place):
// a Seagate whose SMART hours were "reset" while its FARM log still holds 9,439 h, a drive whose
// SMART hours are below its own self-test log's, and a plainly used WD Red. The batch option
// decides whether used / tampered fail the job or warn.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLoopDevice, startTestSshd, type LoopDevice, type TestSshd } from "./helpers/testhost.js";
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { driveFor, hostWithDrives, stageOf, startOne, startRequest, waitJob, type JobSnapshot } from "./helpers/api.js";
import { installSmartctlStandIn, type SmartctlStandIn } from "./helpers/smartctl-standin.js";
import { makeTempDir } from "./helpers/tempdir.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CAPTURES = path.resolve(ROOT, "../shared/fixtures/smartctl");
const FARM = path.resolve(ROOT, "../shared/fixtures/smartctl-farm/seagate-sata-22TB-farm-smartctl-7.4.json");
const exists = existsSync(CAPTURES) && existsSync(FARM);

let kiln: TestKiln;
let sshd: TestSshd;
let standIn: SmartctlStandIn;
let workDir: string;
let built: string;
const disks: Record<"farm" | "selftest" | "used", LoopDevice> = {} as never;

/** A stand-in answer: a real capture with its SMART power-on hours set to `hours`, written to this test's temp dir. */
function standInAnswer(name: string, rel: string, patch: (j: any) => void): string {
  const j = JSON.parse(readFileSync(path.join(CAPTURES, rel), "utf8"));
  patch(j);
  const file = path.join(built, `${name}-standin.json`);
  writeFileSync(file, JSON.stringify(j));
  return file;
}
const setHours = (j: any, hours: number) => {
  j.power_on_time = { hours };
  for (const a of j.ata_smart_attributes?.table ?? []) if (a.id === 9) a.raw = { value: hours, string: String(hours) };
};

async function start(device: string, options?: Record<string, unknown>): Promise<number> {
  return startOne(kiln, await driveFor(kiln, device), { stages: ["precheck"], options });
}

beforeAll(async () => {
  if (!exists) return;
  kiln = await startTestKiln();
  standIn = installSmartctlStandIn();
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey], pathPrefix: standIn.binDir });
  workDir = makeTempDir("work");
  built = makeTempDir("standin-answers");
  for (const k of ["farm", "selftest", "used"] as const) disks[k] = createLoopDevice({ sizeMiB: 4 });
  const reset = standInAnswer("seagate-smart-hours-reset", "smartctl_exporter/sat-null-ST18000NM000J-2TV103-sda.json", (j) => {
    setHours(j, 3);
    j.smartctl.version = [7, 4]; // a host with smartctl 7.4, which can read FARM
    j.temperature = { current: 30 };
  });
  const future = standInAnswer("selftest-from-the-future", "scrutiny/smart-ata.json", (j) => {
    setHours(j, 12);
    j.temperature = { current: 30 };
  });
  standIn.set(disks.farm.device, { fixture: reset, farmFixture: FARM, serial: "KILN-ND-FARM", temperatureC: 30 });
  standIn.set(disks.selftest.device, { fixture: future, serial: "KILN-ND-SELFTEST", temperatureC: 30 });
  standIn.set(disks.used.device, { fixture: path.join(CAPTURES, "smartctl_exporter/WDC_WD20EFRX-68EUZN0_18.json"), serial: "KILN-ND-USED", temperatureC: 30 });
  await hostWithDrives(kiln, sshd, Object.values(disks), { name: "nd-host", workDir });
});

afterAll(async () => {
  await kiln?.stop();
  await sshd?.dispose();
  for (const d of Object.values(disks)) d?.detach();
  standIn?.dispose();
  for (const dir of [workDir, built]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const precheck = (job: JobSnapshot) => stageOf(job, "precheck");

describe.skipIf(!exists)("precheck: is it really new?", () => {
  it("fails a Seagate whose SMART hours were reset below its FARM hours (stand-in answer), by default", async () => {
    const job = await waitJob(kiln, await start(disks.farm.device), undefined, 60_000);
    expect(job.status).toBe("failed");
    expect(job.newDrive!.status).toBe("tampered");
    expect(job.newDrive!.farm).toEqual({ available: true, powerOnHours: 9439, powerCycles: 16 });
    expect(precheck(job).errorText).toContain("FARM says 9,439 power-on hours but SMART says 3");
    expect(standIn.calls(disks.farm.device).some((c) => c.action === "farm" && c.args.join(" ").includes("-l farm"))).toBe(true);
  });

  it("only warns on a drive with self-tests from hours it has not lived (stand-in answer) when the batch says so", async () => {
    const job = await waitJob(kiln, await start(disks.selftest.device, { tamperedDrive: "warn" }), undefined, 60_000);
    expect(job.status).toBe("passed");
    expect(job.newDrive!.status).toBe("tampered");
    expect(precheck(job).errorText).toMatch(/^warning: tampered: the self-test log has 21 entries from hour 1,708, but the drive says it has run 12 hours/);
    // Not a Seagate: FARM is not asked for, and the verdict says why.
    expect(job.newDrive!.farm).toEqual({ available: false, reason: "not a Seagate drive (FARM is a Seagate log)" });
    expect(standIn.calls(disks.selftest.device).some((c) => c.action === "farm")).toBe(false);
  });

  it("warns on a used drive by default, with the evidence, and fails it when the batch says so", async () => {
    const warned = await waitJob(kiln, await start(disks.used.device), undefined, 60_000);
    expect(warned.status).toBe("passed");
    expect(warned.newDrive!.status).toBe("used");
    expect(precheck(warned).errorText).toContain("warning: used: 71,605 power-on hours");
    const failed = await waitJob(kiln, await start(disks.used.device, { usedDrive: "fail" }), undefined, 60_000);
    expect(failed.status).toBe("failed");
    expect(precheck(failed).errorText).toMatch(/^not a new drive: used: 71,605 power-on hours/);
  });

  it("refuses an unknown policy at the API edge", async () => {
    const d = await driveFor(kiln, disks.used);
    const res = await kiln.api("POST", "/api/v1/burnin/start", startRequest([d], { stages: ["precheck"], options: { usedDrive: "ignore" } }));
    expect(res.status).toBe(400);
  });
});
