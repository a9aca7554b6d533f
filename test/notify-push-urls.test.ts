// Push target URLs (shoutrrr's forms) → the one request each service documents, with secrets masked
// when shown and never in an error. Pure: no network here (test/notify-push.test.ts sends for real).
import { describe, expect, it } from "vitest";
import { parseTargetUrl } from "../src/notify/push/channels.js";
import { shortJobEnded, type ShortMessage } from "../src/notify/push/payload.js";
import { scrub, describeBody, retryAfterMs } from "../src/notify/push/http.js";
import { signBody } from "../src/notify/push/webhook.js";
import type { PushTarget } from "../src/notify/push/types.js";
import { loadConfig, ConfigError } from "../src/config.js";
import type { JobFacts } from "../src/notify/messages.js";

const job: JobFacts = {
  jobId: 7, status: "failed", host: "nas1 (10.1.2.3)",
  drive: { model: "WDC WD80EFAX", serial: "ZA1234", devPath: "/dev/sdb", sizeBytes: 8_001_563_222_016 },
  startedAt: "2026-12-01T00:00:00.000Z", finishedAt: "2026-12-01T03:00:00.000Z", errorText: "badblocks found 3 bad blocks",
  badBlockCount: 3, badBlocks: [1, 2, 3], smartChanges: [], reportUrl: "http://kiln.test/api/v1/jobs/7/report?format=html",
  newDrive: { verdict: "used", evidence: "2,435 power-on hours, 38 power cycles" },
};
const msg: ShortMessage = shortJobEnded(job, "job-ended:7", "2026-12-01T03:00:01.000Z");

function target(url: string): PushTarget {
  const p = parseTargetUrl(url);
  if (!p.ok) throw new Error(p.error);
  return p.target;
}
const one = (url: string) => {
  const reqs = target(url).requests(msg);
  expect(reqs).toHaveLength(1);
  return reqs[0]!;
};

describe("the short message", () => {
  it("says drive, host, verdict, bad blocks, the new-drive verdict and the report link in a few lines", () => {
    expect(msg.title).toBe("FAILED: WDC WD80EFAX ZA1234 on nas1 (10.1.2.3)");
    expect(msg.text.split("\n")).toEqual([
      "Drive: WDC WD80EFAX ZA1234 (/dev/sdb, 8.0 TB)",
      "Host: nas1 (10.1.2.3)",
      "Verdict: FAILED, 3 bad blocks",
      "New drive? used: 2,435 power-on hours, 38 power cycles",
      "Why: badblocks found 3 bad blocks",
      "Report: http://kiln.test/api/v1/jobs/7/report?format=html",
    ]);
    expect(msg.payload).toMatchObject({ id: "job-ended:7", event: "job-ended", priority: "high", url: job.reportUrl, verdict: "failed", drive: job.drive, jobs: [{ jobId: 7, verdict: "failed", badBlocks: 3, newDrive: { verdict: "used" } }] });
  });

  it("leaves the new-drive line out when there is no verdict", () => {
    expect(shortJobEnded({ ...job, newDrive: null, status: "passed" }, "k", "t").text).not.toContain("New drive");
  });
});

describe("each service's documented request", () => {
  it("ntfy: JSON publish to the server root, Basic or Bearer auth, https unless scheme=http", () => {
    const r = one("ntfy://alice:s3cretpass@ntfy.example:8080/kiln-alerts?priority=high&tags=floppy_disk");
    expect(r).toMatchObject({ method: "POST", url: "https://ntfy.example:8080/" });
    expect(r.headers.authorization).toBe(`Basic ${Buffer.from("alice:s3cretpass").toString("base64")}`);
    expect(JSON.parse(r.body)).toEqual({ topic: "kiln-alerts", title: msg.title, message: msg.text, priority: 4, tags: ["floppy_disk"], click: job.reportUrl });
    const t = one("ntfy://:tk_abcdefgh12345@127.0.0.1:9000/sub/path/topic1?scheme=http");
    expect(t.url).toBe("http://127.0.0.1:9000/sub/path/");
    expect(t.headers.authorization).toBe("Bearer tk_abcdefgh12345");
    expect(one("ntfy://ntfy.sh/topic").headers.authorization).toBeUndefined();
  });

  it("Gotify: POST /message with X-Gotify-Key and a JSON message", () => {
    const r = one("gotify://gotify.example/sub/AzyoeNS.D4iJLVa/?priority=7");
    expect(r).toMatchObject({ method: "POST", url: "https://gotify.example/sub/message", headers: { "x-gotify-key": "AzyoeNS.D4iJLVa", "content-type": "application/json" } });
    expect(JSON.parse(r.body)).toMatchObject({ title: msg.title, message: msg.text, priority: 7, extras: { "client::notification": { click: { url: job.reportUrl } } } });
    expect(one("gotify://127.0.0.1:8000/tok?disabletls=yes").url).toBe("http://127.0.0.1:8000/message");
  });

  it("Discord: POST /api/webhooks/{id}/{token} with content of at most 2,000 characters", () => {
    const r = one("discord://AbCdEf-token_123@112233445566");
    expect(r.url).toBe("https://discord.com/api/webhooks/112233445566/AbCdEf-token_123");
    const body = JSON.parse(r.body);
    expect(body.content).toBe(`**${msg.title}**\n${msg.text}`);
    const long = target("discord://t0ken@1").requests({ ...msg, text: "x".repeat(5000) })[0]!;
    expect(JSON.parse(long.body).content).toHaveLength(2000);
  });

  it("Slack: both shoutrrr forms give POST /services/T/B/X with {text}", () => {
    const a = one("slack://hook:T0001-B0002-XyZsecretsecret@webhook");
    const b = one("slack://T0001/B0002/XyZsecretsecret");
    for (const r of [a, b]) expect(r.url).toBe("https://hooks.slack.com/services/T0001/B0002/XyZsecretsecret");
    expect(JSON.parse(a.body).text).toBe(`*${msg.title}*\n${msg.text}`);
  });

  it("Telegram: POST /bot<token>/sendMessage once per chat", () => {
    const reqs = target("telegram://123456:ABC-def_ghi@telegram?chats=@kilnchan,-100200300").requests(msg);
    expect(reqs.map((r) => r.url)).toEqual(["https://api.telegram.org/bot123456:ABC-def_ghi/sendMessage", "https://api.telegram.org/bot123456:ABC-def_ghi/sendMessage"]);
    expect(reqs.map((r) => JSON.parse(r.body).chat_id)).toEqual(["@kilnchan", "-100200300"]);
    expect(JSON.parse(reqs[0]!.body).text).toBe(`${msg.title}\n${msg.text}`);
  });

  it("Pushover: a form POST to /1/messages.json with token, user, message, title, url and priority", () => {
    const r = one("pushover://shoutrrr:azGDORePK8gMaC0QOYAMyEEuzJnyUi@uQiRzpo4DXghDmr9QzzfQu27cmVRsG/?devices=phone");
    expect(r).toMatchObject({ url: "https://api.pushover.net/1/messages.json", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(Object.fromEntries(new URLSearchParams(r.body))).toEqual({
      token: "azGDORePK8gMaC0QOYAMyEEuzJnyUi", user: "uQiRzpo4DXghDmr9QzzfQu27cmVRsG", title: msg.title, message: msg.text,
      priority: "1", url: job.reportUrl, url_title: "Open the report", device: "phone",
    });
  });

  it("webhook: POSTs the JSON payload, signed with HMAC-SHA256 when a secret is given; other parameters are forwarded", () => {
    const r = one("generic+https://hooks.example/kiln/in?secret=shh-very-secret&_secret=forwarded&x=1&@X-Api-Key=k3y-k3y-k3y");
    expect(r.url).toBe("https://hooks.example/kiln/in?secret=forwarded&x=1");
    expect(JSON.parse(r.body)).toEqual(msg.payload);
    expect(r.headers["x-kiln-signature"]).toBe(signBody("shh-very-secret", r.body));
    expect(r.headers).toMatchObject({ "x-api-key": "k3y-k3y-k3y", "x-kiln-event": "job-ended", "x-kiln-delivery": "job-ended:7" });
    expect(one("generic+http://127.0.0.1:9/h").headers["x-kiln-signature"]).toBeUndefined();
    expect(one("generic://hooks.example/h?disabletls=yes").url).toBe("http://hooks.example/h");
  });

  it("fixed-host services take ?endpoint= instead of their public host (tests, proxies, a local Bot API server)", () => {
    expect(one("discord://tok@1?endpoint=http://127.0.0.1:5000").url).toBe("http://127.0.0.1:5000/api/webhooks/1/tok");
    expect(one("telegram://1:A@telegram?chats=1&endpoint=http://127.0.0.1:5000/prefix/").url).toBe("http://127.0.0.1:5000/prefix/bot1:A/sendMessage");
    expect(one("slack://hook:T-B-X@webhook?endpoint=http://127.0.0.1:5000").url).toBe("http://127.0.0.1:5000/services/T/B/X");
    expect(one("pushover://shoutrrr:tok@user?endpoint=http://127.0.0.1:5000").url).toBe("http://127.0.0.1:5000/1/messages.json");
    expect(parseTargetUrl("discord://tok@1?endpoint=ftp://x")).toMatchObject({ ok: false, error: expect.stringMatching(/endpoint= must be an http/) });
  });
});

describe("secrets", () => {
  const cases: [string, string[]][] = [
    ["ntfy://alice:s3cretpass@ntfy.example/kiln-alerts", ["s3cretpass", "kiln-alerts"]],
    ["gotify://gotify.example/AzyoeNS.D4iJLVa", ["AzyoeNS.D4iJLVa"]],
    ["discord://AbCdEf-token_123@112233445566", ["AbCdEf-token_123"]],
    ["slack://hook:T0001-B0002-XyZsecretsecret@webhook", ["XyZsecretsecret", "B0002"]],
    ["telegram://123456:ABC-def_ghi@telegram?chats=@kilnchan", ["ABC-def_ghi"]],
    ["pushover://shoutrrr:azGDORePK8gMaC0QOYAMyEEuzJnyUi@uQiRzpo4DXghDmr9QzzfQu27cmVRsG/", ["azGDORePK8gMaC0QOYAMyEEuzJnyUi", "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"]],
    ["generic+https://hooks.example/api/webhook/abcdef0123456789?secret=shh-very-secret&@Authorization=Bearer+zzzzzzzz", ["shh-very-secret", "abcdef0123456789", "zzzzzzzz"]],
  ];
  it.each(cases)("masks %s when shown", (url, secrets) => {
    const t = target(url);
    for (const s of secrets) expect(t.masked).not.toContain(s);
    expect(t.masked).toContain("***");
  });

  it("takes every secret out of an error text, encoded or not", () => {
    expect(scrub("HTTP 404 for /botABC-def_ghi/x and ABC-def%2Fghi", ["ABC-def_ghi", "ABC-def/ghi"])).toBe("HTTP 404 for /bot***/x and ***");
  });

  it("refuses malformed URLs with the reason and the expected form, never echoing a value", () => {
    const bad: [string, RegExp][] = [
      ["telegram://notatoken-SECRETVALUE@telegram?chats=1", /telegram: the bot token .* must look like 123456:ABC-DEF/],
      ["telegram://123:SECRETVALUE@telegram", /name at least one chat/],
      ["discord://SECRETVALUE@not-a-number", /webhook id .* must be the number/],
      ["pushover://shoutrrr:SECRETVALUE@not_a.key/", /user key/],
      ["slack://xoxb:SECRETVALUE@C0123", /bot API .* not supported/],
      ["ntfy://SECRETVALUE@ntfy.sh/", /topic is missing/],
      ["gotify://gotify.example/", /application token is missing/],
      ["matrix://SECRETVALUE@matrix.org", /unknown kind "matrix": use ntfy:\/\//],
      ["SECRETVALUE", /not a URL/],
      ["generic+https://[SECRETVALUE/x", /not a valid URL/],
    ];
    for (const [url, why] of bad) {
      const p = parseTargetUrl(url);
      expect(p.ok, url).toBe(false);
      if (p.ok) continue;
      expect(p.error).toMatch(why);
      expect(p.error).not.toContain("SECRETVALUE");
    }
  });

  it("refuses a malformed KILN_NOTIFY_URLS entry at start, naming its position and kind only", () => {
    let err: unknown;
    try {
      loadConfig({ KILN_NOTIFY_URLS: "ntfy://ntfy.sh/ok  telegram://SECRETVALUE@telegram?chats=1" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/KILN_NOTIFY_URLS: target 2 \(telegram:\/\/…\): telegram: the bot token/);
    expect((err as Error).message).not.toContain("SECRETVALUE");
    expect(loadConfig({ KILN_NOTIFY_URLS: " ntfy://ntfy.sh/a\n discord://t@1 ntfy://ntfy.sh/a" }).notifyUrls).toEqual(["ntfy://ntfy.sh/a", "discord://t@1"]);
  });
});

describe("reading an answer", () => {
  it("takes the reason each service documents from its error body", () => {
    expect(describeBody(`{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`)).toBe("Bad Request: chat not found");
    expect(describeBody(`{"status":0,"errors":["user identifier is invalid"],"request":"x"}`)).toBe("user identifier is invalid");
    expect(describeBody(`{"error":"Unauthorized","errorCode":401,"errorDescription":"you need a token"}`)).toBe("you need a token");
    expect(describeBody("invalid_payload")).toBe("invalid_payload");
    expect(describeBody("<html><body>proxy error</body></html>")).toBe("");
  });
  it("reads Retry-After in seconds, as a date, or from a JSON retry_after", () => {
    expect(retryAfterMs("2", "")).toBe(2000);
    expect(retryAfterMs(null, `{"retry_after":0.3}`)).toBe(300);
    expect(retryAfterMs(null, `{"ok":false,"parameters":{"retry_after":5}}`)).toBe(5000);
    expect(retryAfterMs("Tue, 01 Dec 2026 07:00:10 GMT", "", Date.parse("2026-12-01T07:00:00Z"))).toBe(10_000);
    expect(retryAfterMs(null, "nope")).toBeUndefined();
  });
});
