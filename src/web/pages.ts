// Server-rendered pages: login, first-run setup, logout, the dashboard, history and settings.
import { randomBytes } from "node:crypto";
import { sudoCommandList } from "../remote/privilege.js";
import { Router, type Request, type Response } from "express";
import type { AppDeps } from "./deps.js";
import { createSession, deleteSession, SESSION_COOKIE, SESSION_TTL_MS } from "../auth/sessions.js";
import { findUserByName, hasActiveAdmin, createOrPromoteAdmin } from "../auth/users.js";
import { verifyPassword, secretsEqual } from "../auth/passwords.js";
import { parseCookies, requireAuth } from "./auth.js";
import { isLoopbackRequest } from "./peer.js";

/** Anonymous forms (login, setup) use a double-submit cookie against CSRF. */
const PRE_COOKIE = "kiln_pre";

function preToken(req: Request, res: Response): string {
  const existing = parseCookies(req.headers.cookie)[PRE_COOKIE];
  if (existing && /^[\w-]{20,}$/.test(existing)) return existing;
  const token = randomBytes(24).toString("base64url");
  res.cookie(PRE_COOKIE, token, { httpOnly: true, sameSite: "strict", secure: req.secure, path: "/" });
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
  const base = (req: Request, title: string) => ({
    title,
    version,
    user: req.principal?.user ?? null,
    csrfToken: req.principal?.csrfToken ?? "",
  });

  r.get("/login", (req, res) => {
    if (!hasActiveAdmin(db) && isLoopbackRequest(req)) return res.redirect(303, "/setup");
    res.render("login.njk", { ...base(req, "Log in"), csrfToken: preToken(req, res) });
  });

  r.post("/login", async (req, res) => {
    const { username, password } = req.body as { username?: string; password?: string };
    const fail = (error: string, status = 401) =>
      res.status(status).render("login.njk", { ...base(req, "Log in"), csrfToken: preToken(req, res), error, username });
    if (!preTokenOk(req)) return fail("Your form expired; please try again.", 403);
    const user = typeof username === "string" ? findUserByName(db, username) : undefined;
    const ok = user?.active && typeof password === "string" && (await verifyPassword(password, user.passwordHash));
    if (!ok || !user) {
      deps.log.warn({ username, ip: req.socket.remoteAddress }, "failed login");
      return fail("Wrong user name or password.");
    }
    const { cookieValue } = createSession(db, user.id, Date.now());
    res.cookie(SESSION_COOKIE, cookieValue, {
      httpOnly: true, sameSite: "lax", secure: req.secure, path: "/", maxAge: SESSION_TTL_MS,
    });
    res.redirect(303, "/");
  });

  r.post("/logout", requireAuth("page"), (req, res) => {
    const cookie = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (cookie) deleteSession(db, cookie);
    res.clearCookie(SESSION_COOKIE, { path: "/" });
    res.redirect(303, "/login");
  });

  // First run with neither KILN_ADMIN_PASSWORD nor KILN_API_TOKEN: create the admin, from loopback only.
  const setupAllowed = (req: Request) => !hasActiveAdmin(db) && isLoopbackRequest(req);
  r.get("/setup", (req, res) => {
    if (!setupAllowed(req)) return res.redirect(303, "/login");
    res.render("setup.njk", { ...base(req, "Create the admin"), csrfToken: preToken(req, res) });
  });
  r.post("/setup", async (req, res) => {
    if (!setupAllowed(req)) return res.redirect(303, "/login");
    const { password, password2 } = req.body as { password?: string; password2?: string };
    const fail = (error: string) =>
      res.status(400).render("setup.njk", { ...base(req, "Create the admin"), csrfToken: preToken(req, res), error });
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
    res.render("settings.njk", { ...base(req, "Settings"), nav: "settings" });
  });

  return r;
}
