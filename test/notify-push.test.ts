// Push alerts end to end against a real HTTP server process standing in for each service's documented
// endpoint (test/helpers/notify-standin.mjs): the outbox (real SQLite file) records an event once per
// target, the worker sends it with one request per target, retries while a target is down, stops at a
// permanent 4xx, waits out a 429, and no secret of a target ever reaches the log. (The timeout of a hung
// service is in test/notify-targets.test.ts: a timeout short enough to test is too short for a loaded machine.)
import { rmSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../src/db/open.js";
import { migrate } from "../src/db/migrate.js";
import { MIGRATIONS_DIR } from "../src/paths.js";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/log.js";
import { JobHooks } from "../src/jobs/hooks.js";
import { insertJobs, transitionJob } from "../src/jobs/repo.js";
import { setupNotifications, type Notifications } from "../src/notify/wiring.js";
import { recordTestMessage } from "../src/notify/record.js";
import { channelOf } from "../src/notify/targets.js";
import type { OutboxRow } from "../src/notify/outbox.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { startStandin, type Standin, type StandinRequest } from "./helpers/notify-standin.js";
import { startTestSmtp, type TestSmtp } from "./helpers/notify-smtp.js";

const SECRETS = ["ntfy-pass-SECRET1", "kiln-topic-SECRET2", "gotify-token-SECRET3", "discord-token-SECRET4", "slacksecretSECRET5", "tg-SECRET6", "poTokenSECRET7", "poUserSECRET8", "whsecret-SECRET9"];
const SERVICES = ["ntfy", "gotify", "discord", "slack", "telegram", "pushover", "webhook"] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let db: Db;
let standin: Standin;
let smtp: TestSmtp;
let n: Notifications;
let hostId: number;
const hooks = new JobHooks();
let logText = "";
const log = createLogger("trace", new Writable({ write(chunk, _enc, cb) { logText += String(chunk); cb(); } }) as never);

const targetUrls = (port: number) => {
  const base = `http://127.0.0.1:${port}`;
  return [
    `ntfy://kiln:ntfy-pass-SECRET1@127.0.0.1:${port}/kiln-topic-SECRET2?scheme=http`,
    `gotify://127.0.0.1:${port}/gotify-token-SECRET3?disabletls=yes`,
    `discord://discord-token-SECRET4@1122334455?endpoint=${base}`,
    `slack://hook:T0001-B0002-slacksecretSECRET5@webhook?endpoint=${base}`,
    `telegram://123456:tg-SECRET6@telegram?chats=@kilnchan&endpoint=${base}`,
    `pushover://shoutrrr:poTokenSECRET7@poUserSECRET8/?endpoint=${base}`,
    `generic+http://127.0.0.1:${port}/hook/in?secret=whsecret-SECRET9`,
  ];
};

function addDrive(name: string): number {
  return Number(db.prepare(
    `INSERT INTO drives (host_id, identity_key, path, dev_name, dev_path, serial, model, size_bytes, confirm_name)
     VALUES (?, ?, ?, ?, ?, ?, 'TESTMODEL', 8388608, ?)`,
  ).run(hostId, `serial:${name}`, `/dev/${name}`, name, `/dev/${name}`, `SER-${name}`, name).lastInsertRowid);
}

function startBatch(names: string[], batchId: string): number[] {
  return insertJobs(db, names.map((d) => ({ driveId: addDrive(d), hostId, devicePath: `/dev/${d}`, stages: ["precheck"] as const, options: {}, createdBy: "t", batchId })) as never);
}

function endJob(id: number, status: "passed" | "failed"): void {
  transitionJob(db, id, "running");
  db.transaction(() => {
    expect(transitionJob(db, id, status, { errorText: status === "passed" ? null : "3 bad blocks", onlyFrom: ["running"] })).toBe(true);
    hooks.runEnded(db, id, status);
  }).immediate();
}

const rowsOf = (key: string) => db.prepare("SELECT * FROM outbox WHERE dedupe_key = ? ORDER BY channel").all(key) as OutboxRow[];
const pushRowsOf = (key: string) => rowsOf(key).filter((r) => r.channel.startsWith("push:"));
/** The requests that carry a given job's report link (form bodies are URL-encoded). */
const about = (jobId: number) => (r: StandinRequest) => decodeURIComponent(r.raw.replace(/\+/g, " ")).includes(`/jobs/${jobId}/report`);
const delivered = (r: StandinRequest) => r.status >= 200 && r.status < 300;

async function until<T>(what: string, read: () => T, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let v = read();
  while (!ok(v)) {
    if (Date.now() > end) throw new Error(`${what}: not reached in ${timeoutMs} ms; last: ${JSON.stringify(v)}`);
    await sleep(100);
    v = read();
  }
  return v;
}

beforeAll(async () => {
  dir = makeTempDir("push");
  db = openDatabase(path.join(dir, "kiln.db"));
  migrate(db, MIGRATIONS_DIR);
  hostId = Number(db.prepare("INSERT INTO hosts (name, address, username, host_key_fingerprint) VALUES ('nas1', '10.1.2.3', 'root', 'SHA256:x')").run().lastInsertRowid);
  standin = await startStandin({ secret: "whsecret-SECRET9" });
  smtp = await startTestSmtp();
  const config = loadConfig({
    KILN_DATA_DIR: dir, KILN_PUBLIC_URL: "http://kiln.test:8080", KILN_MAIL_RETRY_SECONDS: "0.2",
    KILN_SMTP_URL: smtp.url, KILN_MAIL_TO: "ops@example.test",
    KILN_NOTIFY_URLS: targetUrls(standin.port).join(" "),
  });
  n = setupNotifications({ db, config, hooks, log });
  n.start(8080);
});

afterAll(async () => {
  await n?.close();
  await standin?.dispose();
  await smtp?.stop();
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("push alerts", () => {
  it("gives every event one request per target, in each service's documented form, the same events as e-mail", async () => {
    const [a, b] = startBatch(["p1", "p2"], "b-push");
    // What precheck keeps of its new-drive verdict (src/stages/new-drive-check.ts), for the first drive only.
    const used = { status: "used", text: "used: 2,435 power-on hours, 38 power cycles", contradictions: [], farm: { available: false, reason: "not a Seagate" },
      evidence: [{ key: "power_on_hours", value: 2435, text: "2,435 power-on hours" }, { key: "power_cycles", value: 38, text: "38 power cycles" }] };
    expect(db.prepare("UPDATE stages SET detail_json = ? WHERE job_id = ? AND name = 'precheck'").run(JSON.stringify({ newDrive: used }), a).changes).toBe(1);
    endJob(a!, "passed");
    endJob(b!, "failed");
    hooks.runAttention(db, { reason: "host-unreachable", key: "unreachable:1:t0", hostId, detail: "nas1 has not answered for 16 minutes" });

    await standin.waitFor(delivered, 28);
    await smtp.waitFor(() => true, 4);
    await sleep(1500); // a duplicate would land within this
    const reqs = standin.requests();
    expect(reqs.filter(delivered)).toHaveLength(28);
    expect(reqs.filter((r) => !delivered(r))).toEqual([]);
    expect(smtp.messages).toHaveLength(4);
    for (const s of SERVICES) expect(reqs.filter((r) => r.service === s).map((r) => r.method), s).toEqual(["POST", "POST", "POST", "POST"]);

    const keys = [`job-ended:${a}`, `job-ended:${b}`, "batch-ended:b-push", "attention:unreachable:1:t0"];
    for (const key of keys) {
      const rows = rowsOf(key);
      expect(rows.map((r) => r.channel).sort(), key).toEqual(["email", ...n.targets.channelNames()].sort());
      expect(rows.every((r) => r.status === "sent" && r.attempts === 1)).toBe(true);
    }

    const bySvc = (s: string) => reqs.filter((r) => r.service === s);
    const [ntfy] = bySvc("ntfy").filter(about(a!));
    expect(ntfy).toMatchObject({ path: "/", headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from("kiln:ntfy-pass-SECRET1").toString("base64")}` } });
    expect(ntfy!.body).toMatchObject({ topic: "kiln-topic-SECRET2", title: "PASSED: TESTMODEL SER-p1 on nas1 (10.1.2.3)", priority: 3, click: `http://kiln.test:8080/api/v1/jobs/${a}/report?format=html` });
    expect(ntfy!.body.message).toContain("Verdict: PASSED, 0 bad blocks\nNew drive? used: 2,435 power-on hours, 38 power cycles\n");
    const [gotify] = bySvc("gotify").filter(about(b!));
    expect(gotify).toMatchObject({ path: "/message", headers: { "x-gotify-key": "gotify-token-SECRET3" } });
    expect(gotify!.body).toMatchObject({ title: "FAILED: TESTMODEL SER-p2 on nas1 (10.1.2.3)", priority: 8 });
    expect(gotify!.body.message).toContain("Why: 3 bad blocks");
    expect(gotify!.body.message).not.toContain("New drive?");
    expect(bySvc("discord").every((r) => r.path === "/api/webhooks/1122334455/discord-token-SECRET4" && r.status === 204)).toBe(true);
    expect(bySvc("slack").every((r) => r.path === "/services/T0001/B0002/slacksecretSECRET5" && typeof r.body.text === "string")).toBe(true);
    expect(bySvc("telegram").every((r) => r.path === "/bot123456:tg-SECRET6/sendMessage" && r.body.chat_id === "@kilnchan")).toBe(true);
    expect(bySvc("pushover").every((r) => r.path === "/1/messages.json" && r.body.token === "poTokenSECRET7" && r.body.user === "poUserSECRET8")).toBe(true);
    const attention = bySvc("telegram").find((r) => r.body.text.startsWith("Attention: host unreachable on nas1"));
    expect(attention!.body.text).toContain("nas1 has not answered for 16 minutes");

    const hooksIn = bySvc("webhook");
    expect(hooksIn.every((r) => r.path === "/hook/in" && r.signatureOk === true)).toBe(true);
    expect(hooksIn.map((r) => r.headers["x-kiln-delivery"]).sort()).toEqual([...keys].sort());
    const ended = hooksIn.find((r) => r.body.id === `job-ended:${b}`)!;
    expect(ended.headers["x-kiln-event"]).toBe("job-ended");
    expect(ended.body).toMatchObject({ event: "job-ended", verdict: "failed", host: "nas1 (10.1.2.3)", drive: { serial: "SER-p2", devPath: "/dev/p2" } });
    const batch = hooksIn.find((r) => r.body.event === "batch-ended")!;
    expect(batch.body).toMatchObject({ id: "batch-ended:b-push", priority: "high", host: "nas1 (10.1.2.3)", title: "Batch of 2 drives ended: 1 passed, 1 failed" });
    expect(batch.body.jobs.map((j: any) => [j.jobId, j.verdict, j.badBlocks, j.drive.serial, j.newDrive])).toEqual([
      [a, "passed", 0, "SER-p1", { verdict: "used", evidence: "2,435 power-on hours, 38 power cycles" }], [b, "failed", 0, "SER-p2", null],
    ]);
  });

  it("keeps a message while the targets are down and sends it once to each when they are back", async () => {
    await standin.stop();
    const before = standin.requests().length;
    const [id] = startBatch(["down1"], "b-down");
    endJob(id!, "passed");
    const key = `job-ended:${id}`;
    const rows = await until("two failed attempts on every target", () => pushRowsOf(key), (rs) => rs.length === 7 && rs.every((r) => r.attempts >= 2));
    expect(rows.every((r) => r.status !== "sent" && r.status !== "failed")).toBe(true);
    expect(rows.map((r) => r.last_error)).toEqual(Array(7).fill(expect.stringMatching(/cannot reach \w+: ECONNREFUSED/)));

    await standin.start();
    await standin.waitFor(about(id!), 7);
    await sleep(1500);
    const got = standin.requests().slice(before).filter(about(id!));
    expect(got.map((r) => r.service).sort()).toEqual([...SERVICES].sort());
    expect(got.every(delivered)).toBe(true);
    expect(pushRowsOf(key).every((r) => r.status === "sent" && r.last_error === null)).toBe(true);
  });

  it("does not retry a 400, and the target shows why", async () => {
    const added = n.targets.add(`telegram://123456:tg-SECRET6@telegram?chats=bad-chat&endpoint=${standin.base}`, "test");
    expect(added.ok).toBe(true);
    const id = (added as { id: number }).id;
    const outboxId = recordTestMessage(db, n.context, { name: channelOf(id), form: "push" });
    const row = await until("the row fails", () => db.prepare("SELECT * FROM outbox WHERE id = ?").get(outboxId) as OutboxRow, (r) => r.status === "failed");
    expect(row.attempts).toBe(1);
    expect(row.last_error).toBe("HTTP 400 from telegram: Bad Request: chat not found (not retried)");
    await sleep(1000); // five backoff periods: a retry would show
    expect(standin.requests().filter((r) => r.body?.chat_id === "bad-chat")).toHaveLength(1);
    const view = n.targets.views().find((t) => t.id === id)!;
    expect(view).toMatchObject({ kind: "telegram", source: "settings", last: { status: "failed", attempts: 1, error: expect.stringContaining("chat not found") } });
    expect(view.masked).toBe(`telegram://***@telegram?chats=bad-chat&endpoint=${standin.base}`);
    expect(n.targets.remove(id)).toBe("removed");
  });

  it("waits out a 429 and sends once it may", async () => {
    const added = n.targets.add(`discord://discord-token-SECRET4@4290001?endpoint=${standin.base}`, "test");
    const id = (added as { id: number }).id;
    const outboxId = recordTestMessage(db, n.context, { name: channelOf(id), form: "push" });
    const row = await until("the row is sent", () => db.prepare("SELECT * FROM outbox WHERE id = ?").get(outboxId) as OutboxRow, (r) => r.status === "sent");
    expect(row.attempts).toBe(2);
    expect(standin.requests().filter((r) => r.path.startsWith("/api/webhooks/4290001/")).map((r) => r.status)).toEqual([429, 204]);
    expect(n.targets.remove(id)).toBe("removed");
  });

  it("never writes a target's secret to the log", () => {
    expect(logText).toMatch(/notification failed; will retry/);
    expect(logText).toMatch(/notification sent/);
    for (const s of SECRETS) expect(logText.includes(s), s).toBe(false);
  });
});
