// The outbox on a real SQLite file and a real SMTP server, without the rest of Kiln: what a job's
// end records (once, in its transaction), and how the worker sends, retries and never sends twice.
import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../src/db/open.js";
import { migrate } from "../src/db/migrate.js";
import { MIGRATIONS_DIR } from "../src/paths.js";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/log.js";
import { JobHooks } from "../src/jobs/hooks.js";
import { insertJobs, transitionJob } from "../src/jobs/repo.js";
import { setupNotifications } from "../src/notify/wiring.js";
import { createNotifiers } from "../src/notify/index.js";
import { enqueue, getOutboxRow, type OutboxRow } from "../src/notify/outbox.js";
import { OutboxWorker } from "../src/notify/worker.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { startTestSmtp, type TestSmtp } from "./helpers/notify-smtp.js";

const log = createLogger("silent");
let dir: string;
let db: Db;
let smtp: TestSmtp;
let hostId: number;

function addDrive(name: string): number {
  return Number(db.prepare(
    `INSERT INTO drives (host_id, identity_key, path, dev_name, dev_path, serial, model, size_bytes, confirm_name)
     VALUES (?, ?, ?, ?, ?, ?, 'TESTMODEL', 8388608, ?)`,
  ).run(hostId, `serial:${name}`, `/dev/${name}`, name, `/dev/${name}`, `SER-${name}`, name).lastInsertRowid);
}

function endJob(hooks: JobHooks, id: number, status: "passed" | "failed" | "cancelled" | "unknown"): boolean {
  transitionJob(db, id, "running");
  return db.transaction(() => {
    if (!transitionJob(db, id, status, { errorText: status === "passed" ? null : "it broke", onlyFrom: ["running"] })) return false;
    hooks.runEnded(db, id, status);
    return true;
  }).immediate();
}

const rows = () => db.prepare("SELECT * FROM outbox ORDER BY id").all() as OutboxRow[];
const config = (env: Record<string, string>) => loadConfig({ KILN_DATA_DIR: dir, KILN_PUBLIC_URL: "http://kiln.test:8080", ...env });

beforeAll(async () => {
  dir = makeTempDir("outbox");
  db = openDatabase(path.join(dir, "kiln.db"));
  migrate(db, MIGRATIONS_DIR);
  hostId = Number(db.prepare("INSERT INTO hosts (name, address, username, host_key_fingerprint) VALUES ('nas1', '10.1.2.3', 'root', 'SHA256:x')").run().lastInsertRowid);
  smtp = await startTestSmtp();
});

afterAll(async () => {
  await smtp?.stop();
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  db.prepare("DELETE FROM outbox").run();
  db.prepare("DELETE FROM jobs").run();
  smtp.messages.length = 0;
});

describe("recording", () => {
  it("records nothing when no mail is configured", () => {
    const hooks = new JobHooks();
    const n = setupNotifications({ db, config: config({}), hooks, log });
    expect(n.context.channels()).toEqual([]);
    const [id] = insertJobs(db, [{ driveId: addDrive("nm1"), hostId, devicePath: "/dev/nm1", stages: ["precheck"], options: {}, createdBy: "t", batchId: "b-none" }]);
    expect(endJob(hooks, id!, "passed")).toBe(true);
    expect(rows()).toEqual([]);
  });

  it("records one job-ended message per job, and the batch's once its last job ends", async () => {
    const hooks = new JobHooks();
    const n = setupNotifications({ db, config: config({ KILN_SMTP_URL: smtp.url, KILN_MAIL_TO: "ops@example.test" }), hooks, log });
    const ids = insertJobs(db, ["r1", "r2"].map((d) => ({ driveId: addDrive(d), hostId, devicePath: `/dev/${d}`, stages: ["precheck"] as const, options: {}, createdBy: "t", batchId: "b-two" })) as never);
    expect(endJob(hooks, ids[0]!, "passed")).toBe(true);
    expect(rows().map((r) => r.dedupe_key)).toEqual([`job-ended:${ids[0]}`]);
    hooks.runEnded(db, ids[0]!, "passed"); // a second call for the same event records nothing new
    expect(rows()).toHaveLength(1);
    expect(endJob(hooks, ids[1]!, "failed")).toBe(true);
    const keys = rows().map((r) => r.dedupe_key);
    expect(keys).toEqual([`job-ended:${ids[0]}`, `job-ended:${ids[1]}`, "batch-ended:b-two"]);
    const batch = rows()[2]!;
    expect(batch.subject).toBe("[Kiln] Batch of 2 drives ended: 1 passed, 1 failed");
    expect(JSON.parse(batch.recipients)).toEqual(["ops@example.test"]);
    const job = rows()[1]!;
    expect(job.subject).toBe("[Kiln] FAILED: TESTMODEL SER-r2 on nas1 (10.1.2.3)");
    expect(job.text).toContain(`http://kiln.test:8080/api/v1/jobs/${ids[1]}/report?format=html`);
    expect(job.text).toContain("Error: it broke");
    await n.close();
  });

  it("rolls the outbox row back with the terminal record when that transaction fails", () => {
    const hooks = new JobHooks();
    setupNotifications({ db, config: config({ KILN_SMTP_URL: smtp.url, KILN_MAIL_TO: "ops@example.test" }), hooks, log });
    const [id] = insertJobs(db, [{ driveId: addDrive("rb1"), hostId, devicePath: "/dev/rb1", stages: ["precheck"], options: {}, createdBy: "t", batchId: "b-rb" }]);
    transitionJob(db, id!, "running");
    expect(() => db.transaction(() => {
      expect(transitionJob(db, id!, "passed", { onlyFrom: ["running"] })).toBe(true);
      hooks.runEnded(db, id!, "passed");
      throw new Error("the terminal write failed after the hook");
    })()).toThrow(/terminal write failed/);
    expect(rows()).toEqual([]);
    expect(db.prepare("SELECT status FROM jobs WHERE id = ?").pluck().get(id)).toBe("running");
  });
});

describe("sending", () => {
  const notifiers = () => createNotifiers({ smtpUrl: smtp.url, mailFrom: "kiln@example.test", mailTo: ["ops@example.test"] });
  const message = (key: string) => ({ dedupeKey: key, kind: "test", recipients: ["ops@example.test"], subject: `subject ${key}`, text: `text ${key}`, html: `<p>${key}</p>` });

  it("never sends a row twice when ticks of two workers overlap", async () => {
    for (let i = 0; i < 12; i++) enqueue(db, message(`cas:${i}`), Date.now());
    const a = new OutboxWorker({ db, notifiers: notifiers(), log });
    const b = new OutboxWorker({ db, notifiers: notifiers(), log });
    const sent = await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    expect(sent.reduce((x, y) => x + y, 0)).toBe(12);
    expect(smtp.messages.map((m) => m.subject).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `subject cas:${i}`).sort());
    expect(rows().every((r) => r.status === "sent" && r.attempts === 1 && r.sent_at !== null)).toBe(true);
  });

  it("keeps the error on the row and retries on the backoff schedule until the server is back", async () => {
    let now = 1_000_000;
    const id = enqueue(db, message("retry"), now)!;
    const w = new OutboxWorker({ db, notifiers: notifiers(), log, backoff: { baseMs: 1000, capMs: 3000 }, now: () => now });
    await smtp.stop();
    expect(await w.tick()).toBe(0);
    let row = getOutboxRow(db, id)!;
    expect(row).toMatchObject({ status: "pending", attempts: 1, next_attempt_at: now + 1000 });
    expect(row.last_error).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
    expect(await w.tick()).toBe(0); // not due yet: no attempt
    expect(getOutboxRow(db, id)!.attempts).toBe(1);
    now += 1000;
    await w.tick();
    expect(getOutboxRow(db, id)!).toMatchObject({ attempts: 2, next_attempt_at: now + 2000 });
    now += 2000;
    await w.tick();
    expect(getOutboxRow(db, id)!).toMatchObject({ attempts: 3, next_attempt_at: now + 3000 }); // capped
    await smtp.start();
    now += 3000;
    expect(await w.tick()).toBe(1);
    row = getOutboxRow(db, id)!;
    expect(row).toMatchObject({ status: "sent", attempts: 4, last_error: null });
    expect(smtp.messages.map((m) => m.subject)).toEqual(["subject retry"]);
    expect(await w.tick()).toBe(0);
  });

  it("gives up at once on a permanent SMTP rejection, and sends the rest", async () => {
    const bad = enqueue(db, { ...message("bad"), recipients: ["reject@example.test"] }, Date.now())!;
    const good = enqueue(db, message("good"), Date.now())!;
    const picky = await startTestSmtp({ start: false });
    // A second server that refuses one recipient with 550.
    const { SMTPServer } = await import("smtp-server");
    const server = new SMTPServer({
      authOptional: true, disabledCommands: ["STARTTLS", "AUTH"], logger: false,
      onRcptTo: (addr, _s, cb) => cb(addr.address.startsWith("reject") ? Object.assign(new Error("no such user"), { responseCode: 550 }) : undefined),
      onData: (stream, _s, cb) => { stream.resume(); stream.on("end", () => cb()); },
    });
    await new Promise<void>((r) => server.listen(picky.port, "127.0.0.1", () => r()));
    try {
      const w = new OutboxWorker({ db, notifiers: createNotifiers({ smtpUrl: picky.url, mailFrom: undefined, mailTo: ["x@y"] }), log });
      expect(await w.tick()).toBe(1);
      expect(getOutboxRow(db, bad)).toMatchObject({ status: "failed", attempts: 1 });
      expect(getOutboxRow(db, bad)!.last_error).toMatch(/550/);
      expect(getOutboxRow(db, good)).toMatchObject({ status: "sent" });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("takes over a row whose sender died mid-send once its lease ran out", async () => {
    let now = 5_000_000;
    const id = enqueue(db, message("lease"), now)!;
    const w = new OutboxWorker({ db, notifiers: notifiers(), log, leaseMs: 60_000, now: () => now });
    db.prepare("UPDATE outbox SET status = 'sending', attempts = 1, next_attempt_at = ? WHERE id = ?").run(now + 60_000, id);
    expect(await w.tick()).toBe(0);
    now += 60_000;
    expect(await w.tick()).toBe(1);
    expect(getOutboxRow(db, id)).toMatchObject({ status: "sent", attempts: 2 });
  });
});
