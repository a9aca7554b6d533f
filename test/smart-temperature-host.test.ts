// The temperature guard's sampler against the real test host: smartctl runs over SSH, answered by
// the smartctl stand-in for drive hardware, whose temperature the test changes while it runs.
// (Wiring pause/resume to SIGSTOP/SIGCONT of badblocks is surface.ts's part, tested there.)
// Slow (~20 s): the guard samples a real smartctl stand-in over SSH until its decisions show.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/log.js";
import { setDriveTemperature } from "../src/smart/store.js";
import { startTemperatureGuard, type GuardOptions } from "../src/stage-kit/temperature-guard.js";
import type { StageContext } from "../src/stage-kit/types.js";
import { createLoopDevice, startTestSshd, type LoopDevice, type TestSshd } from "./helpers/testhost.js";
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { installSmartctlStandIn, smartFixturePath, type SmartctlStandIn } from "./helpers/smartctl-standin.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { hostWithDrives } from "./helpers/api.js";
import { until as untilHolds } from "./helpers/wait.js";

let kiln: TestKiln;
let sshd: TestSshd;
let standIn: SmartctlStandIn;
let disk: LoopDevice;
let workDir: string;
let hostId: number;
let driveId: number;

beforeAll(async () => {
  kiln = await startTestKiln();
  standIn = installSmartctlStandIn();
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey], pathPrefix: standIn.binDir });
  workDir = makeTempDir("work");
  disk = createLoopDevice({ sizeMiB: 4 });
  standIn.set(disk.device, { fixture: smartFixturePath("nvme-healthy"), serial: "KILN-HOT-1", temperatureC: 40 });
  const { host, drives } = await hostWithDrives(kiln, sshd, [disk], { name: "hot", workDir });
  hostId = host.id;
  driveId = drives[0]!.id;
});

afterAll(async () => {
  await kiln?.stop();
  await sshd?.dispose();
  disk?.detach();
  standIn?.dispose();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** The parts of a stage context the guard uses, on the real host port and database. */
function guardContext(signal: AbortSignal, options: object = {}): StageContext {
  return {
    port: kiln.kiln.registry.port(hostId), signal, log: createLogger("silent"),
    recorder: { temperature: (c: number) => setDriveTemperature(kiln.kiln.db, driveId, c) },
    job: { options_json: JSON.stringify(options), device_path: disk.device },
    host: { id: hostId }, drive: { id: driveId },
  } as unknown as StageContext;
}

function recorder(): { events: string[]; opts: Omit<GuardOptions, "sampleMs"> } {
  const events: string[] = [];
  return { events, opts: { onPause: async (reason) => void events.push(`pause: ${reason}`), onResume: async () => void events.push("resume") } };
}

/** The guard samples every 150 ms here: look more often than that. */
const until = (what: () => boolean): Promise<true> => untilHolds("the guard's samples", what, { timeoutMs: 60_000, everyMs: 50 });

const reads = () => standIn.calls(disk.device).filter((c) => c.action === "read").length;

/**
 * A stopped guard starts no new sample: at most the one in flight when it was stopped may still
 * land. A running guard would take ~20 samples in the 3 s watched (every 150 ms), several even on a
 * loaded machine; how long the one in flight takes is left to the machine.
 */
async function expectNoMoreSampling(): Promise<void> {
  const stopped = reads();
  await new Promise((r) => setTimeout(r, 3000));
  expect(reads()).toBeLessThanOrEqual(stopped + 1);
}

describe("temperature guard on the test host", () => {
  it("pauses at 56 °C, holds between the points, resumes at 47 °C, and stops sampling when told", async () => {
    const { events, opts } = recorder();
    const guard = startTemperatureGuard(guardContext(new AbortController().signal), { sampleMs: 150, ...opts });
    try {
      const seen = reads();
      await until(() => reads() >= seen + 3);
      expect(events).toEqual([]);
      standIn.update(disk.device, { temperatureC: 56 });
      await until(() => events.length === 1);
      expect(events[0]).toBe("pause: drive at 56 °C, at or above the 55 °C limit; continues at 48 °C or below");
      expect(guard.state).toBe("paused");
      standIn.update(disk.device, { temperatureC: 50 });
      const at50 = reads();
      await until(() => reads() >= at50 + 3);
      expect(events).toHaveLength(1);
      standIn.update(disk.device, { temperatureC: 47 });
      await until(() => events.length === 2);
      expect(events[1]).toBe("resume");
      const row = kiln.kiln.db.prepare("SELECT temperature_c FROM drives WHERE id = ?").get(driveId) as { temperature_c: number };
      expect(row.temperature_c).toBe(47);
    } finally {
      guard.stop();
    }
    await expectNoMoreSampling();
  });

  it("uses the job's own limits and resumes a job a previous Kiln left paused", async () => {
    standIn.update(disk.device, { temperatureC: 45 });
    const { events, opts } = recorder();
    const abort = new AbortController();
    const guard = startTemperatureGuard(guardContext(abort.signal, { tempLimitC: 60, tempResumeC: 46 }), { sampleMs: 150, initialState: "paused", ...opts });
    try {
      await until(() => events.length === 1);
      expect(events).toEqual(["resume"]);
      standIn.update(disk.device, { temperatureC: 58 });
      const at58 = reads();
      await until(() => reads() >= at58 + 3);
      expect(events).toEqual(["resume"]);
      standIn.update(disk.device, { temperatureC: 60 });
      await until(() => events.length === 2);
      expect(events[1]).toMatch(/^pause: drive at 60 °C, at or above the 60 °C limit; continues at 46 °C/);
    } finally {
      abort.abort(); // a cancelled job stops the guard too
    }
    await expectNoMoreSampling();
    guard.stop();
  });
});
