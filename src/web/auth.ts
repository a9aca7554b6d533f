// Who is asking: a bearer token (scripts) or a session cookie (people). Cookie-authenticated writes
// must carry the session's CSRF token; bearer requests need none (no ambient credential to abuse).
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Db } from "../db/open.js";
import type { Config } from "../config.js";
import type { User } from "../auth/users.js";
import { loadSession, SESSION_COOKIE } from "../auth/sessions.js";
import { secretsEqual } from "../auth/passwords.js";
import { HttpError } from "./errors.js";

export interface Principal {
  user: User;
  via: "token" | "session";
  csrfToken: string | null;
}

declare module "express-serve-static-core" {
  interface Request {
    principal?: Principal;
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const TOKEN_USER: User = { id: 0, username: "api-token", role: "admin", active: true };

/** Cookies by name. Another app on the same host name may set anything: a value that does not decode is kept raw. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const raw = part.slice(i + 1).trim();
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // "x=50%": not ours, and not worth a 500
    }
    out[part.slice(0, i).trim()] = value;
  }
  return out;
}

/** Resolves req.principal; rejects a wrong bearer token outright. */
export function identify(db: Db, config: Config): RequestHandler {
  return (req, _res, next) => {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      if (!m || !config.apiToken || !secretsEqual(m[1]!, config.apiToken)) {
        return next(new HttpError(401, "invalid bearer token"));
      }
      req.principal = { user: TOKEN_USER, via: "token", csrfToken: null };
      return next();
    }
    const cookie = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    const session = cookie ? loadSession(db, cookie, Date.now()) : undefined;
    if (session) req.principal = { user: session.user, via: "session", csrfToken: session.csrfToken };
    next();
  };
}

function csrfOk(req: Request, expected: string): boolean {
  const sent = req.get("x-csrf-token") ?? (req.body as { _csrf?: unknown } | undefined)?._csrf;
  return typeof sent === "string" && secretsEqual(sent, expected);
}

/** Requires a principal; for cookie sessions, a valid CSRF token on writes. */
export function requireAuth(kind: "api" | "page"): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const p = req.principal;
    if (!p) {
      if (kind === "page") return res.redirect(303, "/login");
      return next(new HttpError(401, "authentication required"));
    }
    if (p.via === "session" && !SAFE_METHODS.has(req.method) && !csrfOk(req, p.csrfToken!)) {
      return next(new HttpError(403, "missing or invalid CSRF token"));
    }
    next();
  };
}

export function requireAdmin(req: Request, _res: Response, next: NextFunction): void {
  if (req.principal?.user.role !== "admin") return next(new HttpError(403, "admin role required"));
  next();
}
