// Bootstrap admin, session login, CSRF and the loopback-only restart rule, against a real Kiln.
import { afterEach, describe, expect, it } from "vitest";
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { openDatabase } from "../src/db/open.js";
import { migrate } from "../src/db/migrate.js";
import { MIGRATIONS_DIR } from "../src/paths.js";
import { bootstrapAdmin, findUserByName } from "../src/auth/users.js";
import { verifyPassword } from "../src/auth/passwords.js";
import { loadConfig } from "../src/config.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { pageToken, RawClient } from "./helpers/raw-http.js";
import path from "node:path";

let kiln: TestKiln | undefined;
afterEach(async () => {
  await kiln?.stop();
  kiln = undefined;
});

/** A token the page must carry (the dashboard's csrf-token meta, the setup form's _csrf). */
function tokenOn(html: string, name: string): string {
  const token = pageToken(html, name);
  if (token === undefined) throw new Error(`no ${name} in page`);
  return token;
}

describe("bootstrap admin", () => {
  function freshDb() {
    const db = openDatabase(path.join(makeTempDir("auth"), "k.db"));
    migrate(db, MIGRATIONS_DIR);
    return db;
  }

  it("creates admin with KILN_ADMIN_PASSWORD, and is idempotent on every boot", async () => {
    const db = freshDb();
    const config = loadConfig({ KILN_ADMIN_PASSWORD: "first-password" });
    expect(await bootstrapAdmin(db, config)).toBe("created");
    expect(await bootstrapAdmin(db, loadConfig({ KILN_ADMIN_PASSWORD: "other-password" }))).toBe("exists");
    const admin = findUserByName(db, "admin")!;
    expect(await verifyPassword("first-password", admin.passwordHash)).toBe(true);
    expect(db.prepare("SELECT count(*) FROM users").pluck().get()).toBe(1);
  });

  it("uses the first 16 characters of KILN_API_TOKEN when no password is set", async () => {
    const db = freshDb();
    await bootstrapAdmin(db, loadConfig({ KILN_API_TOKEN: "abcdefghijklmnopqrstuvwxyz" }));
    expect(await verifyPassword("abcdefghijklmnop", findUserByName(db, "admin")!.passwordHash)).toBe(true);
  });

  it("prefers KILN_ADMIN_PASSWORD over the token", async () => {
    const db = freshDb();
    await bootstrapAdmin(db, loadConfig({ KILN_API_TOKEN: "abcdefghijklmnopqrstuvwxyz", KILN_ADMIN_PASSWORD: "the-password" }));
    expect(await verifyPassword("the-password", findUserByName(db, "admin")!.passwordHash)).toBe(true);
  });

  it("re-activates and promotes an existing admin row when no active admin exists", async () => {
    const db = freshDb();
    db.prepare("INSERT INTO users (username, password_hash, role, active) VALUES ('admin', 'x', 'viewer', 0)").run();
    expect(await bootstrapAdmin(db, loadConfig({ KILN_ADMIN_PASSWORD: "back-again-pw" }))).toBe("created");
    const admin = findUserByName(db, "admin")!;
    expect(admin).toMatchObject({ role: "admin", active: true });
    expect(await verifyPassword("back-again-pw", admin.passwordHash)).toBe(true);
  });

  it("asks for setup when neither variable is set", async () => {
    expect(await bootstrapAdmin(freshDb(), loadConfig({}))).toBe("needs-setup");
  });
});

describe("sessions and CSRF", () => {
  it("logs in with the form, then needs the CSRF token for writes", async () => {
    kiln = await startTestKiln({ KILN_ADMIN_PASSWORD: "correct-horse-battery" });
    const b = new RawClient(kiln.url);
    const bad = await b.login("admin", "wrong-password");
    expect(bad.status).toBe(401);
    expect(bad.text).toMatch(/Wrong user name or password/);
    const ok = await b.login("admin", "correct-horse-battery");
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe("/");
    const dash = await b.req("GET", "/");
    expect(dash.status).toBe(200);
    const csrf = tokenOn(dash.text, "csrf-token");
    expect((await b.req("GET", "/api/v1/hosts")).status).toBe(200);
    const noToken = await b.req("POST", "/api/v1/hosts", { json: { name: "x", address: "127.0.0.1", username: "root" } });
    expect(noToken.status).toBe(403);
    const badToken = await b.req("POST", "/api/v1/jobs/1/cancel", { headers: { "x-csrf-token": "nope" } });
    expect(badToken.status).toBe(403);
    const withToken = await b.req("POST", "/api/v1/jobs/999/cancel", { headers: { "x-csrf-token": csrf } });
    expect(withToken.status).toBe(404);
    const logout = await b.req("POST", "/logout", { form: { _csrf: csrf } });
    expect(logout.status).toBe(303);
    expect((await b.req("GET", "/api/v1/hosts")).status).toBe(401);
  });

  it("refuses a login form posted without its CSRF cookie", async () => {
    kiln = await startTestKiln({ KILN_ADMIN_PASSWORD: "correct-horse-battery" });
    const b = new RawClient(kiln.url);
    const res = await b.req("POST", "/login", { form: { username: "admin", password: "correct-horse-battery", _csrf: "forged" } });
    expect(res.status).toBe(403);
    expect(b.cookies.has("kiln_session")).toBe(false);
  });

  it("sends security headers", async () => {
    kiln = await startTestKiln();
    const res = await fetch(`${kiln.url}/login`);
    expect(res.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
  });
});

describe("first-run setup", () => {
  it("lets loopback create the admin when neither password nor token is set, then closes", async () => {
    kiln = await startTestKiln({ KILN_API_TOKEN: "" });
    const b = new RawClient(kiln.url);
    const first = await b.req("GET", "/login");
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe("/setup");
    const form = await b.req("GET", "/setup");
    const csrf = tokenOn(form.text, "_csrf");
    const mismatch = await b.req("POST", "/setup", { form: { password: "long-enough-1", password2: "different-2", _csrf: csrf } });
    expect(mismatch.status).toBe(400);
    const created = await b.req("POST", "/setup", { form: { password: "long-enough-1", password2: "long-enough-1", _csrf: csrf } });
    expect(created.status).toBe(303);
    expect((await b.req("GET", "/setup")).headers.location).toBe("/login");
    expect((await b.login("admin", "long-enough-1")).status).toBe(303);
  });
});

describe("loopback-only restart", () => {
  it("allows restart without login from loopback, never with a proxy header", async () => {
    kiln = await startTestKiln();
    const anon = (headers: Record<string, string> = {}) =>
      fetch(`${kiln!.url}/api/v1/jobs/12345/restart`, { method: "POST", headers });
    // Loopback without login reaches the handler (404: no such job), proxy headers make it 401.
    expect((await anon()).status).toBe(404);
    expect((await anon({ "x-forwarded-for": "127.0.0.1" })).status).toBe(401);
    expect((await anon({ forwarded: "for=127.0.0.1" })).status).toBe(401);
    expect((await anon({ "x-real-ip": "127.0.0.1" })).status).toBe(401);
  });
});

describe("roles", () => {
  it("lets an admin create a viewer who can read but change nothing", async () => {
    kiln = await startTestKiln({ KILN_ADMIN_PASSWORD: "correct-horse-battery" });
    const created = await kiln.api("POST", "/api/v1/users", { username: "watcher", password: "viewer-password", role: "viewer" });
    expect(created.status).toBe(201);
    expect((await kiln.api("POST", "/api/v1/users", { username: "watcher", password: "viewer-password", role: "viewer" })).status).toBe(409);
    const b = new RawClient(kiln.url);
    expect((await b.login("watcher", "viewer-password")).status).toBe(303);
    const dash = await b.req("GET", "/");
    const csrf = tokenOn(dash.text, "csrf-token");
    expect((await b.req("GET", "/api/v1/jobs")).status).toBe(200);
    const start = await b.req("POST", "/api/v1/burnin/start", { json: { driveIds: [1], confirm: ["x"] }, headers: { "x-csrf-token": csrf } });
    expect(start.status).toBe(403);
    expect((await b.req("GET", "/api/v1/users")).status).toBe(403);
    // Logged in as a viewer, even from loopback, a restart is an admin's action.
    expect((await b.req("POST", "/api/v1/jobs/1/restart", { headers: { "x-csrf-token": csrf } })).status).toBe(403);
    const admin = (await kiln.api("GET", "/api/v1/users")).body.find((u: any) => u.username === "admin");
    expect((await kiln.api("POST", `/api/v1/users/${admin.id}/deactivate`)).status).toBe(409);
    expect((await kiln.api("POST", `/api/v1/users/${created.body.id}/deactivate`)).status).toBe(200);
    expect((await b.req("GET", "/api/v1/jobs")).status).toBe(401);
    const audit = (await kiln.api("GET", "/api/v1/audit")).body as any[];
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["user.create", "user.deactivate"]));
  });
});
