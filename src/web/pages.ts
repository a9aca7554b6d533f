// Server-rendered pages: login, first-run setup, logout, the dashboard, history and settings.
import { randomBytes } from "node:crypto";
import { sudoCommandList } from "../remote/privilege.js";
import { Router, type Request, type Response } from "express";
import type { AppDeps } from "./deps.js";
import { createSession, deleteSession, SESSION_COOKIE, SESSION_TTL_MS } from "../auth/sessions.js";
import { findUserByName, hasActiveAdmin, createOrPromoteAdmin } from "../auth/users.js";
import { hashPassword, verifyPassword, secretsEqual } from "../auth/passwords.js";
import { parseCookies, requireAuth } from "./auth.js";
import { loopbackRefusal } from "./peer.js";
import { allowedHosts, secureScheme } from "./edge.js";
import { loginLimiters } from "./login-limit.js";
import { storageView } from "../retention/view.js";

/** Anonymous forms (login, setup) use a double-submit cookie against CSRF. */
const PRE_COOKIE = "kiln_pre";

function preToken(req: Request, res: Response, secure: boolean): string {
  const existing = parseCookies(req.headers.cookie)[PRE_COOKIE];
  if (existing && /^[\w-]{20,}$/.test(existing)) return existing;
  const token = randomBytes(24).toString("base64url");
  res.cookie(PRE_COOKIE, token, { httpOnly: true, sameSite: "strict", secure, path: "/" });
  return token;
}

function preTokenOk(req: Request): boolean {
  const cookie = parseCookies(req.headers.cookie)[PRE_COOKIE];
  const sent = (req.body as { _csrf?: unknown })?._csrf;
  return !!cookie && typeof sent === "string" && secretsEqual(cookie, sent);
}

export function pageRoutes(deps: AppDeps): Router {
  const { db, version } = deps;
  const r = Router();
  const isSecure = secureScheme(deps.config.trustProxy);
  const allowed = allowedHosts(deps.config);
  const pre = (req: Request, res: Response) => preToken(req, res, isSecure(req));
  // An unknown or inactive user costs one hash check, like a wrong password.
  const decoy = hashPassword(randomBytes(18).toString("base64url"));
  const base = (req: Request, title: string) => ({
    title,
    version,
    user: req.principal?.user ?? null,
    csrfToken: req.principal?.csrfToken ?? "",
  });

  // First run with neither KILN_ADMIN_PASSWORD nor KILN_API_TOKEN: create the admin, from this
  // machine only, and only from Kiln's own page (no foreign Host, Origin or cross-site fetch).
  const setupAllowed = (req: Request) => !hasActiveAdmin(db) && loopbackRefusal(req, allowed) === null;

  r.get("/login", (req, res) => {
    if (setupAllowed(req)) return res.redirect(303, "/setup");
    res.render("login.njk", { ...base(req, "Log in"), csrfToken: pre(req, res) });
  });

  const loginPage = (req: Request, res: Response, status: number, error: string) => {
    const { username } = req.body as { username?: unknown };
    res.status(status).render("login.njk", {
      ...base(req, "Log in"), csrfToken: pre(req, res), error, username: typeof username === "string" ? username : "",
    });
  };
  const tooMany = (req: Request, res: Response) =>
    loginPage(req, res, 429, "Too many failed logins from this address or for this user. Wait a minute and try again.");

  r.post("/login", ...loginLimiters(deps.log, tooMany), async (req, res) => {
    const { username, password } = req.body as { username?: string; password?: string };
    const fail = (error: string, status = 401) => loginPage(req, res, status, error);
    if (!preTokenOk(req)) return fail("Your form expired; please try again.", 403);
    const found = typeof username === "string" ? findUserByName(db, username) : undefined;
    const user = found?.active ? found : undefined;
    const given = typeof password === "string" ? password : "";
    const ok = await verifyPassword(given, user?.passwordHash ?? (await decoy));
    if (!ok || !user) {
      deps.log.warn({ username, ip: req.socket.remoteAddress }, "failed login");
      return fail("Wrong user name or password.");
    }
    const { cookieValue } = createSession(db, user.id, Date.now());
    res.cookie(SESSION_COOKIE, cookieValue, {
      httpOnly: true, sameSite: "lax", secure: isSecure(req), path: "/", maxAge: SESSION_TTL_MS,
    });
    res.redirect(303, "/");
  });

  r.post("/logout", requireAuth("page"), (req, res) => {
    const cookie = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (cookie) deleteSession(db, cookie);
    res.clearCookie(SESSION_COOKIE, { path: "/" });
    res.redirect(303, "/login");
  });

  r.get("/setup", (req, res) => {
    if (!setupAllowed(req)) return res.redirect(303, "/login");
    res.render("setup.njk", { ...base(req, "Create the admin"), csrfToken: pre(req, res) });
  });
  r.post("/setup", async (req, res) => {
    if (!setupAllowed(req)) {
      if (!hasActiveAdmin(db)) deps.log.warn({ ip: req.socket.remoteAddress, reason: loopbackRefusal(req, allowed) }, "refused a setup form post");
      return res.redirect(303, "/login");
    }
    const { password, password2 } = req.body as { password?: string; password2?: string };
    const fail = (error: string) =>
      res.status(400).render("setup.njk", { ...base(req, "Create the admin"), csrfToken: pre(req, res), error });
    if (!preTokenOk(req)) return fail("Your form expired; please try again.");
    if (typeof password !== "string" || password.length < 8) return fail("Use at least 8 characters.");
    if (password !== password2) return fail("The two passwords differ.");
    await createOrPromoteAdmin(db, "admin", password);
    deps.log.info({ ip: req.socket.remoteAddress }, "admin created from the setup form");
    res.redirect(303, "/login");
  });

  r.get("/", requireAuth("page"), (req, res) => {
    res.render("dashboard.njk", { ...base(req, "Kiln"), nav: "dashboard", sshPublicKey: deps.sshPublicKey, sudoList: sudoCommandList() });
  });
  r.get("/history", requireAuth("page"), (req, res) => {
    res.render("history.njk", { ...base(req, "History"), nav: "history" });
  });
  r.get("/settings", requireAuth("page"), (req, res) => {
    res.render("settings.njk", { ...base(req, "Settings"), nav: "settings", storage: storageView(deps.retention.usage()) });
  });

  return r;
}
