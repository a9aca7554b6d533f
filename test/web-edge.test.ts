// The web edge against real Kiln processes: the Host allow-list (DNS rebinding), cross-site writes to
// the login-free actions (first-run setup, restart), stray cookies, login rate limits per address
// and per user, Secure cookies behind a trusted TLS proxy, KILN_LOOPBACK_RESTART=off, password
// changes and resets, and the reset-password command on the Kiln machine.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kilnProcess, type KilnProcess } from "./helpers/kiln-process.js";
import { RawClient, rawRequest } from "./helpers/raw-http.js";
import { ROOT } from "../src/paths.js";

const PASSWORD = "first-admin-password";
let fresh: KilnProcess; // no admin yet: the setup form is open
let second: KilnProcess; // KILN_LOOPBACK_RESTART=off, KILN_TRUST_PROXY=127.0.0.1, admin from KILN_ADMIN_PASSWORD

const usersIn = (k: KilnProcess) => {
  const db = new Database(path.join(k.dataDir, "kiln.db"), { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT username, role FROM users").all() as { username: string; role: string }[];
  } finally {
    db.close();
  }
};
const logOf = (k: KilnProcess) => readFileSync(path.join(k.dataDir, "kiln.log"), "utf8");
const portOf = (k: KilnProcess) => new URL(k.url).port;
/** pino writes asynchronously: a line can reach the file a moment after the answer that caused it. */
async function expectLog(k: KilnProcess, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!pattern.test(logOf(k)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(logOf(k)).toMatch(pattern);
}

beforeAll(async () => {
  fresh = await kilnProcess({ KILN_API_TOKEN: "", KILN_ALLOWED_HOSTS: "kiln.test", KILN_TRUST_PROXY: "127.0.0.1" });
  second = await kilnProcess({ KILN_ADMIN_PASSWORD: PASSWORD, KILN_LOOPBACK_RESTART: "off", KILN_TRUST_PROXY: "127.0.0.1" });
  await Promise.all([fresh.start(), second.start()]);
}, 60_000);

afterAll(async () => {
  await fresh?.dispose();
  await second?.dispose();
});

describe("first-run setup on a fresh install", () => {
  it("refuses a foreign Host (DNS rebinding) with 421 and a log line, and creates nothing", async () => {
    const c = new RawClient(fresh.url);
    const _csrf = await c.formToken("/setup");
    const evil = { host: `evil.example:${portOf(fresh)}` };
    const page = await c.req("GET", "/setup", { headers: evil });
    expect(page.status).toBe(421);
    expect(page.text).toMatch(/KILN_ALLOWED_HOSTS/);
    const post = await c.req("POST", "/setup", { headers: evil, form: { _csrf, password: "rebound-pass", password2: "rebound-pass" } });
    expect(post.status).toBe(421);
    expect((await c.req("GET", "/api/v1/system", { headers: evil })).status).toBe(421);
    expect((await c.req("GET", "/health", { headers: evil })).status).toBe(421);
    expect(usersIn(fresh)).toEqual([]);
    await expectLog(fresh, /"host":"evil\.example:\d+"[^\n]*refused a request for a Host Kiln does not answer to/);
    // A name listed in KILN_ALLOWED_HOSTS is answered.
    expect((await c.req("GET", "/health", { headers: { host: `KILN.test:${portOf(fresh)}` } })).status).toBe(200);
  });

  it("refuses a cross-site post and a post from another page on this machine, and creates nothing", async () => {
    const c = new RawClient(fresh.url);
    const _csrf = await c.formToken("/setup");
    const form = { _csrf, password: "cross-site-pass", password2: "cross-site-pass" };
    const crossSite = await c.req("POST", "/setup", { form, headers: { origin: "http://evil.example", "sec-fetch-site": "cross-site" } });
    expect(crossSite.status).toBe(403);
    expect((await c.req("POST", "/setup", { form, headers: { "sec-fetch-site": "cross-site" } })).status).toBe(403);
    expect((await c.req("POST", "/setup", { form, headers: { origin: "null" } })).status).toBe(403);
    // Another local page (another port: same site, not Kiln's origin) is not Kiln's own page either.
    const otherPort = await c.req("POST", "/setup", { form, headers: { origin: "http://127.0.0.1:1", "sec-fetch-site": "same-site" } });
    expect(otherPort.status).toBe(303);
    expect(otherPort.headers.location).toBe("/login");
    expect(usersIn(fresh)).toEqual([]);
    await expectLog(fresh, /refused a cross-site write/);
    await expectLog(fresh, /same-site request[^\n]*refused a setup form post/);
  });

  it("answers a request with malformed cookies with a normal page, never a 500", async () => {
    const cookie = "x=50%; kiln_pre=%zz; kiln_session=%E0%A4%A; =; novalue";
    const page = await rawRequest(fresh.url, "GET", "/setup", { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<form/);
    const api = await rawRequest(fresh.url, "GET", "/api/v1/drives", { headers: { cookie } });
    expect(api.status).toBe(401);
    const login = await rawRequest(fresh.url, "GET", "/login", { headers: { cookie } });
    expect([200, 303]).toContain(login.status);
  });

  it("creates the admin from Kiln's own page on this machine", async () => {
    const c = new RawClient(fresh.url);
    const _csrf = await c.formToken("/setup");
    const res = await c.req("POST", "/setup", {
      form: { _csrf, password: PASSWORD, password2: PASSWORD },
      headers: { origin: `http://127.0.0.1:${portOf(fresh)}`, "sec-fetch-site": "same-origin" },
    });
    expect(res.status).toBe(303);
    expect(usersIn(fresh)).toEqual([{ username: "admin", role: "admin" }]);
  });
});

describe("the login-free restart", () => {
  it("is refused cross-site, for a foreign Host, from another local page and with proxy headers", async () => {
    const restart = (headers: Record<string, string>) => rawRequest(fresh.url, "POST", "/api/v1/jobs/999/restart", { headers });
    expect((await restart({ origin: "http://evil.example", "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await restart({ host: `evil.example:${portOf(fresh)}` })).status).toBe(421);
    expect((await restart({ origin: "http://localhost:3000", "sec-fetch-site": "same-site" })).status).toBe(403);
    // KILN_TRUST_PROXY is for the scheme only: a proxied request is never loopback.
    expect((await restart({ "x-forwarded-proto": "https" })).status).toBe(401);
    // A script on this machine passes the gate (there is no job 999).
    expect((await restart({})).status).toBe(404);
    expect((await restart({ origin: `http://127.0.0.1:${portOf(fresh)}`, "sec-fetch-site": "same-origin" })).status).toBe(404);
  });

  it("is off with KILN_LOOPBACK_RESTART=off", async () => {
    const res = await rawRequest(second.url, "POST", "/api/v1/jobs/999/restart");
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text).error).toMatch(/KILN_LOOPBACK_RESTART=off/);
  });
});

describe("logins", () => {
  it("refuses the 11th failed attempt from one address without checking the password", async () => {
    const ok = new RawClient(fresh.url, "127.0.0.1");
    expect((await ok.login("admin", PASSWORD)).status).toBe(303);
    const c = new RawClient(fresh.url, "127.0.0.2");
    for (let i = 1; i <= 10; i++) expect((await c.login(`nobody-${i}`, "wrong-password")).status).toBe(401);
    // The right password now: refused before any hash is computed.
    const limited = await c.login("admin", PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.text).toMatch(/Too many failed logins/);
    expect(limited.headers["set-cookie"]?.some((s) => s.startsWith("kiln_session=")) ?? false).toBe(false);
    // Other addresses are not affected.
    expect((await new RawClient(fresh.url, "127.0.0.20").login("admin", PASSWORD)).status).toBe(303);
  });

  it("refuses the 11th failed attempt for one user from many addresses", async () => {
    for (let i = 3; i <= 12; i++) {
      expect((await new RawClient(fresh.url, `127.0.0.${i}`).login("admin", "wrong-password")).status).toBe(401);
    }
    expect((await new RawClient(fresh.url, "127.0.0.13").login("admin", PASSWORD)).status).toBe(429);
    expect((await new RawClient(fresh.url, "127.0.0.14").login("someone-else", "wrong-password")).status).toBe(401);
    await expectLog(fresh, /"per":"user","msg":"login refused: too many failed attempts"/);
    await expectLog(fresh, /"per":"address","msg":"login refused: too many failed attempts"/);
  });

  it("sets Secure cookies only for X-Forwarded-Proto: https from the trusted proxy", async () => {
    const viaProxy = await new RawClient(second.url, "127.0.0.1").login("admin", PASSWORD, { "x-forwarded-proto": "https" });
    expect(viaProxy.status).toBe(303);
    expect(viaProxy.headers["set-cookie"]!.find((s) => s.startsWith("kiln_session="))).toMatch(/; Secure/i);
    const plain = await new RawClient(second.url, "127.0.0.1").login("admin", PASSWORD);
    expect(plain.headers["set-cookie"]!.find((s) => s.startsWith("kiln_session="))).not.toMatch(/Secure/i);
    const untrusted = await new RawClient(second.url, "127.0.0.30").login("admin", PASSWORD, { "x-forwarded-proto": "https" });
    expect(untrusted.headers["set-cookie"]!.find((s) => s.startsWith("kiln_session="))).not.toMatch(/Secure/i);
  });
});

describe("passwords", () => {
  it("lets a user change their own password, ending their other sessions", async () => {
    const a = new RawClient(second.url);
    const b = new RawClient(second.url);
    expect((await a.login("admin", PASSWORD)).status).toBe(303);
    expect((await b.login("admin", PASSWORD)).status).toBe(303);
    expect((await a.api("POST", "/api/v1/me/password", { currentPassword: "not-it-at-all", newPassword: "second-password" })).status).toBe(403);
    const changed = await a.api("POST", "/api/v1/me/password", { currentPassword: PASSWORD, newPassword: "second-password" });
    expect(changed.status).toBe(200);
    expect((await a.api("GET", "/api/v1/drives")).status).toBe(200);
    expect((await b.api("GET", "/api/v1/drives")).status).toBe(401);
    expect((await new RawClient(second.url).login("admin", PASSWORD)).status).toBe(401);
    expect((await new RawClient(second.url).login("admin", "second-password")).status).toBe(303);
  });

  it("lets an admin reset another user's password, and a viewer reset nobody's", async () => {
    const admin = new RawClient(second.url);
    expect((await admin.login("admin", "second-password")).status).toBe(303);
    const created = await admin.api("POST", "/api/v1/users", { username: "vera", password: "vera-first-pw", role: "viewer" });
    expect(created.status).toBe(201);
    const vera = new RawClient(second.url);
    expect((await vera.login("vera", "vera-first-pw")).status).toBe(303);
    expect((await vera.api("POST", `/api/v1/users/1/password`, { password: "taken-over-pw" })).status).toBe(403);
    const reset = await admin.api("POST", `/api/v1/users/${created.body.id}/password`, { password: "vera-second-pw" });
    expect(reset.status).toBe(200);
    expect((await vera.api("GET", "/api/v1/drives")).status).toBe(401);
    expect((await new RawClient(second.url).login("vera", "vera-first-pw")).status).toBe(401);
    expect((await new RawClient(second.url).login("vera", "vera-second-pw")).status).toBe(303);
    const audit = (await admin.api("GET", "/api/v1/audit")).body as any[];
    expect(audit.map((e) => `${e.action} ${e.actor} ${e.target}`)).toEqual(expect.arrayContaining([
      `user.password-reset admin user:${created.body.id}`, "user.password admin user:1",
    ]));
  });

  it("resets a lost admin password with a command on the Kiln machine", async () => {
    const before = new RawClient(second.url);
    expect((await before.login("admin", "second-password")).status).toBe(303);
    const { stdout } = await promisify(execFile)("npm", ["run", "-s", "kiln", "--", "reset-password", "admin"], {
      cwd: ROOT, env: { ...process.env, KILN_DATA_DIR: second.dataDir }, encoding: "utf8",
    });
    const m = /New password of admin: (\S+)/.exec(stdout);
    expect(m, stdout).not.toBeNull();
    expect((await before.api("GET", "/api/v1/drives")).status).toBe(401);
    expect((await new RawClient(second.url).login("admin", "second-password")).status).toBe(401);
    const after = new RawClient(second.url);
    expect((await after.login("admin", m![1]!)).status).toBe(303);
    const audit = (await after.api("GET", "/api/v1/audit?action=user.password-reset")).body as any[];
    expect(audit[0]).toMatchObject({ actor: "command line", target: "user:1" });
  }, 60_000);
});
