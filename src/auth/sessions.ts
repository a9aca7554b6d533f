// Cookie sessions stored in SQLite. The cookie carries a random id; the table keeps only its sha256,
// together with the session's CSRF token (synchronizer-token pattern).
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../db/open.js";
import type { User } from "./users.js";

export const SESSION_COOKIE = "kiln_session";
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

export interface Session {
  user: User;
  csrfToken: string;
}

const digest = (id: string) => createHash("sha256").update(id).digest("hex");

export function createSession(db: Db, userId: number, now: number): { cookieValue: string; csrfToken: string } {
  const cookieValue = randomBytes(32).toString("base64url");
  const csrfToken = randomBytes(32).toString("base64url");
  db.prepare(
    "INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
  ).run(digest(cookieValue), userId, csrfToken, now, now + SESSION_TTL_MS);
  db.prepare("DELETE FROM sessions WHERE expires_at < ?").run(now);
  return { cookieValue, csrfToken };
}

export function loadSession(db: Db, cookieValue: string, now: number): Session | undefined {
  const row = db
    .prepare(
      `SELECT u.id, u.username, u.role, u.active, s.csrf_token AS csrfToken
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = ? AND s.expires_at > ? AND u.active = 1`,
    )
    .get(digest(cookieValue), now) as
    | { id: number; username: string; role: User["role"]; active: number; csrfToken: string }
    | undefined;
  if (!row) return undefined;
  return {
    user: { id: row.id, username: row.username, role: row.role, active: true },
    csrfToken: row.csrfToken,
  };
}

export function deleteSession(db: Db, cookieValue: string): void {
  db.prepare("DELETE FROM sessions WHERE id = ?").run(digest(cookieValue));
}

/** Ends every session of a user (after a password change), except the one given by its cookie. */
export function deleteUserSessions(db: Db, userId: number, keepCookieValue?: string): number {
  return db.prepare("DELETE FROM sessions WHERE user_id = ? AND id <> ?").run(userId, keepCookieValue ? digest(keepCookieValue) : "").changes;
}
