// The temperature guard on a real badblocks process: the smartctl stand-in for drive hardware
// reports 56 °C, badblocks' process group is stopped (state T on the host) and the job `paused`;
// the same across a Kiln restart while paused; at 47 °C it continues and the job passes.
// Slow (~40 s): a real badblocks stopped and continued across a Kiln restart; the slow disk keeps it running that long.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSlowDisk, startTestSshd, type SlowDisk, type TestSshd } from "./helpers/testhost.js";
import { kilnProcess, type KilnProcess } from "./helpers/kiln-process.js";
import { installSmartctlStandIn, smartFixturePath, type SmartctlStandIn } from "./helpers/smartctl-standin.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { hostWithDrives, job, startOne, waitJob } from "./helpers/api.js";
import { until as untilHolds } from "./helpers/wait.js";
import { feed, initialState, summary } from "../src/badblocks/progress.js";

let kiln: KilnProcess;
let sshd: TestSshd;
let standIn: SmartctlStandIn;
let disk: SlowDisk;
let work: string;


function jobDir(jobId: number): string {
  const dir = readdirSync(path.join(work, "jobs")).find((d) => d.startsWith(`${jobId}-`))!;
  return path.join(work, "jobs", dir);
}

function processStates(jobId: number): string[] {
  const bbPid = readFileSync(path.join(jobDir(jobId), "bb.pid"), "utf8").trim();
  return execFileSync("ps", ["-o", "stat=", "-p", bbPid], { encoding: "utf8" }).trim().split("\n");
}

const allStopped = (jobId: number) => processStates(jobId).every((s) => s.startsWith("T"));

const until = (what: string, pred: () => boolean | Promise<boolean>, timeoutMs = 60_000) => untilHolds(what, pred, { timeoutMs, everyMs: 100 });

/** Where badblocks' own log (frozen while its process group is stopped) says the surface test is. */
function progressInLog(jobId: number): { phase: number; phasePct: number } {
  const log = readFileSync(path.join(jobDir(jobId), "progress.log"));
  const s = summary(feed(initialState(), log).state);
  return { phase: s.phase, phasePct: Math.round(s.phasePct * 100) / 100 };
}

beforeAll(async () => {
  kiln = await kilnProcess({ KILN_TEMP_SAMPLE_SECONDS: "1" });
  standIn = installSmartctlStandIn();
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey], pathPrefix: standIn.binDir });
  work = makeTempDir("work");
  disk = createSlowDisk({ sizeMiB: 4, rateBytesPerSec: 1024 * 1024 });
  standIn.set(disk.device, { fixture: smartFixturePath("nvme-healthy"), serial: "KILN-WARM-1", temperatureC: 40 });
  await kiln.start();
});

afterAll(async () => {
  await kiln?.dispose();
  await sshd?.dispose();
  disk?.detach();
  standIn?.dispose();
});

describe("temperature guard", () => {
  it("stops badblocks at 56 °C, keeps it paused across a restart, continues at 47 °C and passes", async () => {
    const { drives: [d] } = await hostWithDrives(kiln, sshd, [disk], { name: "warm", workDir: work });
    expect(d!.smartAvailable).toBe(true);
    const id = await startOne(kiln, d!, { stages: ["surface_validate"] });
    await waitJob(kiln, id, (j) => (j.surface?.phase ?? 0) >= 1);

    standIn.set(disk.device, { fixture: smartFixturePath("nvme-healthy"), serial: "KILN-WARM-1", temperatureC: 56 });
    const paused = await waitJob(kiln, id, (j) => j.status === "paused", 60_000);
    expect(paused.notes.some((n) => n.kind === "paused" && /56/.test(n.text))).toBe(true);
    // The job turns `paused` after the STOP was sent; the kernel stops the group right after.
    await until("badblocks stopped", () => allStopped(id), 30_000);
    // Stopped, badblocks' log no longer grows: what it wrote before the stop is the most the job
    // may ever show while paused. The reader commits held progress once its gate opens (not the
    // value the test happened to read when the status changed), so wait for exactly that.
    const frozenLog = readFileSync(path.join(jobDir(id), "progress.log"));
    const atStop = progressInLog(id);
    const atPause = await untilHolds("progress written before the stop committed", () => job(kiln, id), {
      ok: (j) => j.surface?.phase === atStop.phase && j.surface?.phasePct === atStop.phasePct, timeoutMs: 60_000, everyMs: 100,
    });
    expect(atPause.status).toBe("paused");

    await kiln.kill("SIGTERM");
    const restartedAt = Date.now();
    await kiln.start();
    // Re-attached, and the guard has finished at least one decision since (samples never overlap:
    // a second reading means the first one's decision is done).
    const readsSince = () => standIn.calls(disk.device).filter((c) => c.action === "read" && c.at > restartedAt).length;
    await until("re-attached and the guard sampled twice", async () => {
      const j = await job(kiln, id);
      return j.notes.some((n) => n.kind === "reattach") && readsSince() >= 2;
    });
    const still = await job(kiln, id);
    expect(still.status).toBe("paused");
    expect(allStopped(id)).toBe(true);
    expect(readFileSync(path.join(jobDir(id), "progress.log")).equals(frozenLog)).toBe(true);
    expect({ phase: still.surface!.phase, phasePct: still.surface!.phasePct }).toEqual(atStop);
    expect(still.percent).toBe(atPause.percent);

    standIn.set(disk.device, { fixture: smartFixturePath("nvme-healthy"), serial: "KILN-WARM-1", temperatureC: 47 });
    await waitJob(kiln, id, (j) => j.status === "running", 60_000);
    const done = await waitJob(kiln, id, undefined, 180_000);
    expect(done.status).toBe("passed");
    expect(done.notes.some((n) => n.kind === "resumed-temp")).toBe(true);
  }, 600_000);
});
