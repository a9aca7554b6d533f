// Issue 9, item 6: the stage rows are the source of the job's verdict. Kiln (a child process) is
// SIGKILLed after a stage's `failed` transition committed and before the job's terminal transaction:
// a trigger put into the database file by the test holds the job's terminal update back (the same
// state a crash leaves), the kill is a real SIGKILL, and the restarted Kiln must end the job `failed`,
// never run the failed stage again to a pass. SMART is the stand-in (loop devices have none).
import { rmSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLoopDevice, startTestSshd, type LoopDevice, type TestSshd } from "./helpers/testhost.js";
import { kilnProcess, type KilnProcess } from "./helpers/kiln-process.js";
import { installSmartctlStandIn, smartFixturePath, type SmartctlStandIn } from "./helpers/smartctl-standin.js";
import { makeTempDir } from "./helpers/tempdir.js";

let kiln: KilnProcess;
let sshd: TestSshd;
let standIn: SmartctlStandIn;
let disk: LoopDevice;
let work: string;

const HOLD = `CREATE TRIGGER test_holds_job_end BEFORE UPDATE OF status ON jobs
  WHEN NEW.status IN ('passed', 'failed', 'cancelled', 'unknown')
  BEGIN SELECT RAISE(ABORT, 'held back by the test'); END`;

function withDb<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(path.join(kiln.dataDir, "kiln.db"), { fileMustExist: true });
  db.pragma("busy_timeout = 10000");
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

async function until<T>(what: string, get: () => T | undefined | false, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  kiln = await kilnProcess();
  standIn = installSmartctlStandIn();
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey], pathPrefix: standIn.binDir });
  disk = createLoopDevice({ sizeMiB: 4 });
  // Too hot to start: precheck fails ("let it cool first").
  standIn.set(disk.device, { fixture: smartFixturePath("ata-healthy"), serial: "KILN-ROWS-1", temperatureC: 70, shortSeconds: 1 });
  await kiln.start();
});

afterAll(async () => {
  await kiln?.dispose();
  await sshd?.dispose();
  disk?.detach();
  standIn?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
  if (kiln) rmSync(kiln.dataDir, { recursive: true, force: true });
});

describe("a crash between a stage's failure and the job's end", () => {
  it("ends the job failed from the stage rows after a restart, without running the failed stage again", async () => {
    work = makeTempDir("work");
    const host = await kiln.api("POST", "/api/v1/hosts", { name: "h", address: "127.0.0.1", port: sshd.port, username: "root", workDir: work, includeLoopDevices: true });
    expect(host.status).toBe(201);
    const drives = (await kiln.api("POST", `/api/v1/hosts/${host.body.id}/scan`)).body as any[];
    const d = drives.find((x) => x.devPath === disk.device);
    withDb((db) => db.exec(HOLD));
    const start = await kiln.api("POST", "/api/v1/burnin/start", { driveIds: [d.id], confirm: [d.confirmName], stages: ["precheck", "smart_short"] });
    expect(start.status, JSON.stringify(start.body)).toBe(202);
    const id = start.body.jobs[0].id as number;

    // precheck fails, its row commits `failed` and the next stage's `skipped`; the job's end is held back.
    await until("precheck failed and smart_short skipped", () =>
      withDb((db) => db.prepare("SELECT group_concat(status) FROM stages WHERE job_id = ? ORDER BY seq").pluck().get(id) === "failed,skipped"));
    expect(withDb((db) => db.prepare("SELECT status FROM jobs WHERE id = ?").pluck().get(id))).toBe("running");
    await kiln.kill("SIGKILL");

    // The drive has cooled down: running the failed stage again would pass it, and the job with it.
    withDb((db) => db.exec("DROP TRIGGER test_holds_job_end"));
    standIn.update(disk.device, { temperatureC: 35 });
    const startsBefore = standIn.calls(disk.device).filter((c) => c.action === "start").length;
    await kiln.start();

    let job: any;
    const deadline = Date.now() + 60_000;
    do {
      await new Promise((r) => setTimeout(r, 200));
      job = (await kiln.api("GET", `/api/v1/jobs/${id}`)).body;
    } while (!["passed", "failed", "cancelled", "unknown"].includes(job.status) && Date.now() < deadline);
    expect(job.status, JSON.stringify(job)).toBe("failed");
    expect(job.errorText).toMatch(/precheck: .*cool/);
    expect(job.stages.map((s: any) => s.status)).toEqual(["failed", "skipped"]);
    expect(standIn.calls(disk.device).filter((c) => c.action === "start").length).toBe(startsBefore);
  }, 200_000);
});
