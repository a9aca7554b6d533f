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
import { hostWithDrives, startOne, waitJob } from "./helpers/api.js";
import { until } from "./helpers/wait.js";

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
    const { drives: [d] } = await hostWithDrives(kiln, sshd, [disk], { name: "h", workDir: work });
    withDb((db) => db.exec(HOLD));
    const id = await startOne(kiln, d!, { stages: ["precheck", "smart_short"] });

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

    const job = await waitJob(kiln, id, undefined, 60_000);
    expect(job.status, JSON.stringify(job)).toBe("failed");
    expect(job.errorText).toMatch(/precheck: .*cool/);
    expect(job.stages.map((s) => s.status)).toEqual(["failed", "skipped"]);
    expect(standIn.calls(disk.device).filter((c) => c.action === "start").length).toBe(startsBefore);
  }, 200_000);
});
