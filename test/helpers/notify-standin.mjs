// A stand-in for the push services' documented endpoints, run as its own process (node, no
// dependencies) so a test can stop it and start it again on the same port. It checks each request
// the way the service documents it (path, method, headers, body), answers as the service does, and
// appends every request it answered to a JSON-lines file (STANDIN_LOG) before answering.
//   ntfy      POST /              JSON {topic, message, title?, priority?, click?}  → 200 message JSON
//   Gotify    POST /message       X-Gotify-Key, JSON {message, title?, priority?}   → 200 message JSON
//   Discord   POST /api/webhooks/{id}/{token}  JSON {content ≤ 2000}               → 204
//   Slack     POST /services/{T}/{B}/{X}       JSON {text}                         → 200 "ok"
//   Telegram  POST /bot{token}/sendMessage     JSON {chat_id, text}                → 200 {ok:true,result}
//   Pushover  POST /1/messages.json  form token, user, message                     → 200 {status:1}
//   webhook   POST anything else   JSON; X-Kiln-Signature checked against STANDIN_SECRET
// Documented refusals it plays: Telegram chat "bad-chat" → 400 chat not found; a Discord webhook id
// starting 4290 → 429 with retry_after once, then 204; POST /hang is never answered.
import { createServer } from "node:http";
import { appendFileSync } from "node:fs";
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

const port = Number(process.env.STANDIN_PORT);
const logFile = process.env.STANDIN_LOG;
const secret = process.env.STANDIN_SECRET ?? "";
const rateLimited = new Set();

function signatureOk(raw, header) {
  if (!secret || !header) return null;
  const want = Buffer.from(`sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`);
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}

const isJson = (req) => (req.headers["content-type"] ?? "").startsWith("application/json");
const parseJson = (raw) => {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
};

function route(req, url, raw) {
  const path = url.pathname;
  const body = isJson(req) ? parseJson(raw) : raw;
  const bad = (status, answer, service) => ({ service, status, answer, body });
  if (req.method !== "POST") return bad(405, { error: "method not allowed" }, "unknown");

  if (path === "/" && isJson(req) && body && typeof body.topic === "string") {
    if (typeof body.message !== "string") return bad(400, { code: 40001, http: 400, error: "invalid request: message" }, "ntfy");
    return { service: "ntfy", status: 200, body, answer: { id: randomUUID().slice(0, 12), time: Math.floor(Date.now() / 1000), event: "message", topic: body.topic, message: body.message } };
  }
  if (path === "/message") {
    const key = req.headers["x-gotify-key"] ?? url.searchParams.get("token");
    if (!key) return bad(401, { error: "Unauthorized", errorCode: 401, errorDescription: "you need to provide a valid access token or user credentials to access this api" }, "gotify");
    if (!isJson(req) || !body || typeof body.message !== "string" || !body.message) return bad(400, { error: "Bad Request", errorCode: 400, errorDescription: "Field 'message' is required" }, "gotify");
    return { service: "gotify", status: 200, body, answer: { id: 1, appid: 1, message: body.message, title: body.title ?? "", priority: body.priority ?? 0, date: new Date().toISOString() } };
  }
  let m = /^\/api\/webhooks\/(\d+)\/([^/]+)$/.exec(path);
  if (m) {
    if (m[1].startsWith("4290") && !rateLimited.has(m[1])) {
      rateLimited.add(m[1]);
      return { service: "discord", status: 429, body, headers: { "retry-after": "0.3" }, answer: { message: "You are being rate limited.", retry_after: 0.3, global: false } };
    }
    if (!isJson(req) || !body || typeof body.content !== "string" || !body.content) return bad(400, { message: "Cannot send an empty message", code: 50006 }, "discord");
    if (body.content.length > 2000) return bad(400, { message: "Invalid Form Body", code: 50035 }, "discord");
    return { service: "discord", status: 204, body, answer: null };
  }
  m = /^\/services\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path);
  if (m) {
    if (!isJson(req) || !body || typeof body.text !== "string" || !body.text) return bad(400, "invalid_payload", "slack");
    return { service: "slack", status: 200, body, answer: "ok" };
  }
  m = /^\/bot(\d+:[\w-]+)\/sendMessage$/.exec(path);
  if (m) {
    if (!isJson(req) || !body || body.chat_id === undefined || typeof body.text !== "string" || !body.text) return bad(400, { ok: false, error_code: 400, description: "Bad Request: message text is empty" }, "telegram");
    if (body.chat_id === "bad-chat") return bad(400, { ok: false, error_code: 400, description: "Bad Request: chat not found" }, "telegram");
    return { service: "telegram", status: 200, body, answer: { ok: true, result: { message_id: 1, chat: { id: body.chat_id }, date: Math.floor(Date.now() / 1000), text: body.text } } };
  }
  if (path === "/1/messages.json") {
    const form = Object.fromEntries(new URLSearchParams(raw));
    const errors = ["token", "user", "message"].filter((k) => !form[k]).map((k) => `${k} is invalid`);
    if (req.headers["content-type"] !== "application/x-www-form-urlencoded" || errors.length) {
      return bad(400, { status: 0, errors: errors.length ? errors : ["content type"], request: randomUUID() }, "pushover");
    }
    return { service: "pushover", status: 200, body: form, answer: { status: 1, request: randomUUID() } };
  }
  if (!isJson(req) || body === undefined) return bad(400, { error: "expected JSON" }, "webhook");
  return { service: "webhook", status: 200, body, answer: { received: true }, signatureOk: signatureOk(raw, req.headers["x-kiln-signature"]) };
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url, "http://standin");
    if (url.pathname === "/__standin/health") return res.end("ok");
    if (url.pathname === "/hang") {
      // A service that takes the request and never answers (Kiln's timeout must end the attempt).
      appendFileSync(logFile, JSON.stringify({ service: "webhook", method: req.method, path: url.pathname, query: {}, status: 0, headers: {}, body: null, raw, signatureOk: null, at: Date.now() }) + "\n");
      return;
    }
    const r = route(req, url, raw);
    const h = req.headers;
    appendFileSync(logFile, JSON.stringify({
      service: r.service, method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), status: r.status,
      headers: { "content-type": h["content-type"], authorization: h.authorization, "x-gotify-key": h["x-gotify-key"], "user-agent": h["user-agent"],
        "x-kiln-event": h["x-kiln-event"], "x-kiln-delivery": h["x-kiln-delivery"], "x-kiln-signature": h["x-kiln-signature"] },
      body: r.body, raw, signatureOk: r.signatureOk ?? null, at: Date.now(),
    }) + "\n");
    const text = r.answer === null ? "" : typeof r.answer === "string" ? r.answer : JSON.stringify(r.answer);
    res.writeHead(r.status, { ...(text ? { "content-type": typeof r.answer === "string" ? "text/plain" : "application/json" } : {}), ...(r.headers ?? {}) });
    res.end(text);
  });
});
server.listen(port, "127.0.0.1", () => process.stdout.write("listening\n"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
