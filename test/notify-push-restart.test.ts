// Push targets in a real Kiln child process: a malformed KILN_NOTIFY_URLS stops the start with a clear
// error; the settings API lists targets masked, refuses a malformed URL, adds and removes; and a
// message that was being retried when Kiln was SIGKILLed is sent exactly once after the restart.
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kilnProcess, type KilnProcess } from "./helpers/kiln-process.js";
import { startStandin, type Standin } from "./helpers/notify-standin.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TG_TOKEN = "123456:tgRestartSECRET";
const WH_SECRET = "whRestartSECRET";
let standin: Standin;
let kp: KilnProcess;
const extra: KilnProcess[] = [];

beforeAll(async () => {
  standin = await startStandin({ secret: WH_SECRET, start: false }); // down from the start
  kp = await kilnProcess({
    KILN_NOTIFY_URLS: [
      `telegram://${TG_TOKEN}@telegram?chats=-1001&endpoint=${standin.base}`,
      `generic+http://127.0.0.1:${standin.port}/restart?secret=${WH_SECRET}`,
    ].join(" "),
    // A short timeout keeps the claim short too: a kill mid-attempt gives the row back within seconds.
    KILN_MAIL_RETRY_SECONDS: "0.2", KILN_NOTIFY_TIMEOUT_SECONDS: "5", KILN_LOG_LEVEL: "debug",
  });
  await kp.start();
});

afterAll(async () => {
  for (const k of [kp, ...extra]) {
    await k?.dispose();
    if (k) rmSync(k.dataDir, { recursive: true, force: true });
  }
  await standin?.dispose();
});

async function targets(): Promise<any[]> {
  const res = await kp.api("GET", "/api/v1/notify/targets");
  expect(res.status).toBe(200);
  return res.body.targets;
}

async function row(channel: string, id: number): Promise<any> {
  return (await kp.api("GET", `/api/v1/outbox?channel=${encodeURIComponent(channel)}`)).body.rows.find((r: any) => r.id === id);
}

describe("push targets in a Kiln process", () => {
  it("refuses to start with a malformed KILN_NOTIFY_URLS, saying which entry and why, without its secret", async () => {
    const bad = await kilnProcess({ KILN_NOTIFY_URLS: "ntfy://ntfy.sh/fine discord://TOKENSECRETVALUE@not-a-number" });
    extra.push(bad);
    await expect(bad.start()).rejects.toThrow(/exited with 2/);
    const out = readFileSync(path.join(bad.dataDir, "kiln.log"), "utf8");
    expect(out).toContain("KILN_NOTIFY_URLS: target 2 (discord://…): discord: the webhook id (after the @) must be the number from the webhook URL");
    expect(out).not.toContain("TOKENSECRETVALUE");
  });

  it("lists targets masked, refuses a malformed URL, adds and removes a target; env targets stay", async () => {
    const list = await targets();
    expect(list.map((t) => [t.kind, t.source, t.masked])).toEqual([
      ["telegram", "env", `telegram://***@telegram?chats=-1001&endpoint=${standin.base}`],
      ["webhook", "env", `generic+http://127.0.0.1:${standin.port}/***?secret=***`],
    ]);
    const bad = await kp.api("POST", "/api/v1/notify/targets", { url: "pushover://shoutrrr:PUSHSECRETVALUE@" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^pushover: |not a valid URL; the form is pushover:\/\/shoutrrr:apiToken@userKey/);
    expect(bad.body.error).not.toContain("PUSHSECRETVALUE");

    const added = await kp.api("POST", "/api/v1/notify/targets", { url: "gotify://gotify.example/GOTIFYSECRET1" });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ kind: "gotify", source: "settings", masked: "gotify://gotify.example/***" });
    expect((await kp.api("POST", "/api/v1/notify/targets", { url: "gotify://gotify.example/GOTIFYSECRET1" })).status).toBe(409);
    expect(JSON.stringify(await targets())).not.toContain("GOTIFYSECRET1");
    expect((await kp.api("DELETE", `/api/v1/notify/targets/${list[0].id}`)).status).toBe(409);
    expect((await kp.api("DELETE", `/api/v1/notify/targets/${added.body.id}`)).status).toBe(200);
    expect((await targets()).map((t) => t.id)).toEqual(list.map((t) => t.id));
    expect((await fetch(`${kp.url}/api/v1/notify/targets`)).status).toBe(401);
  });

  it("sends a message that was being retried at a SIGKILL exactly once after the restart", async () => {
    const list = await targets();
    const sentIds: Record<string, number> = {};
    for (const t of list) {
      const res = await kp.api("POST", `/api/v1/notify/targets/${t.id}/test`);
      expect(res.status).toBe(202);
      sentIds[t.channel] = res.body.id;
    }
    for (const t of list) {
      let r: any;
      for (let i = 0; i < 300 && !(r?.attempts >= 2); i++) {
        await sleep(100);
        r = await row(t.channel, sentIds[t.channel]!);
      }
      expect(r).toMatchObject({ status: expect.stringMatching(/^(pending|sending)$/), kind: "test" }); // between attempts, or in one
      expect(r.lastError).toMatch(/cannot reach (telegram|webhook): ECONNREFUSED/);
    }

    await kp.kill("SIGKILL");
    await standin.start();
    expect(standin.requests()).toEqual([]);
    await kp.start();
    expect((await targets()).map((t) => t.id)).toEqual(list.map((t) => t.id)); // the same rows, so the same channels

    await standin.waitFor((r) => r.status === 200, 2, 45_000);
    await sleep(2000); // a second send would land within this
    const got = standin.requests();
    expect(got.map((r) => [r.service, r.status]).sort()).toEqual([["telegram", 200], ["webhook", 200]]);
    expect(got.find((r) => r.service === "telegram")!.body).toMatchObject({ chat_id: "-1001", text: expect.stringMatching(/^Kiln test message\n/) });
    expect(got.find((r) => r.service === "webhook")).toMatchObject({ signatureOk: true, body: { event: "test" } });
    for (const t of list) expect(await row(t.channel, sentIds[t.channel]!)).toMatchObject({ status: "sent", lastError: null });

    const logged = readFileSync(path.join(kp.dataDir, "kiln.log"), "utf8");
    expect(logged).toMatch(/notification failed; will retry/);
    for (const s of ["tgRestartSECRET", WH_SECRET, "GOTIFYSECRET1", "PUSHSECRETVALUE"]) expect(logged.includes(s), s).toBe(false);
  });
});
