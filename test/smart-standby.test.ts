// Issue 9, item 9: a drive in standby keeps its SMART stages. The scan asks `smartctl -n standby`
// and a sleeping drive answers "Device is in STANDBY mode" (exit 2); the job wakes it and runs the
// self-tests, the temperature guard and the final check. Real Kiln, sshd, badblocks and loop
// device; SMART is the stand-in, which sleeps until a command without `-n standby` wakes it.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLoopDevice, startTestSshd, type LoopDevice, type TestSshd } from "./helpers/testhost.js";
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { driveFor, hostWithDrives, startOne, waitJob } from "./helpers/api.js";
import { installSmartctlStandIn, smartFixturePath, type SmartctlStandIn } from "./helpers/smartctl-standin.js";
import { makeTempDir } from "./helpers/tempdir.js";

let kiln: TestKiln;
let sshd: TestSshd;
let standIn: SmartctlStandIn;
let disk: LoopDevice;
let work: string;

beforeAll(async () => {
  kiln = await startTestKiln({ KILN_TEMP_SAMPLE_SECONDS: "1" });
  standIn = installSmartctlStandIn();
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey], pathPrefix: standIn.binDir });
  work = makeTempDir("work");
  disk = createLoopDevice({ sizeMiB: 8 });
  standIn.set(disk.device, { fixture: smartFixturePath("ata-healthy"), serial: "KILN-SLEEPY-1", temperatureC: 33, shortSeconds: 1, longSeconds: 2, standby: true });
  await hostWithDrives(kiln, sshd, [disk], { name: "h", workDir: work });
});

afterAll(async () => {
  await kiln?.stop();
  await sshd?.dispose();
  disk?.detach();
  standIn?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("a drive in standby", () => {
  it("is woken by its job: self-tests, temperature guard and final check all run, none skipped", async () => {
    const drive = await driveFor(kiln, disk);
    expect(drive.smartAvailable).toBe(false); // the scan did not wake it
    expect(standIn.calls(disk.device).map((c) => c.action)).toContain("standby");

    const id = await startOne(kiln, drive, { options: { patterns: ["0xaa"] } });
    const job = await waitJob(kiln, id, undefined, 240_000);

    expect(job.stages.map((s) => `${s.name}:${s.status}`), JSON.stringify({ drive, notes: job.notes, stages: job.stages })).toEqual([
      "precheck:passed", "smart_short:passed", "surface_validate:passed", "smart_long:passed", "final_check:passed",
    ]);
    expect(job.status).toBe("passed");
    expect(job.notes.map((n) => n.text).join("\n")).toMatch(/standby: woken/);
    const calls = standIn.calls(disk.device);
    expect(calls.filter((c) => c.action === "start").map((c) => c.kind)).toEqual(["short", "long"]);
    // The guard read the temperature (`-A`) while the surface test ran.
    expect(calls.some((c) => c.action === "read" && c.args.join(" ") === `--json -A ${disk.device}`)).toBe(true);
    expect(job.smart.afterAt).toBeTruthy();
  }, 300_000);
});
