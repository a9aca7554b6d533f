// Users: admins manage accounts; a viewer can read everything and change nothing.
import { Router } from "express";
import { z } from "zod";
import type { AppDeps } from "./deps.js";
import { requireAdmin } from "./auth.js";
import { Conflict, InvalidInputError, NotFound } from "../errors.js";
import { HttpError } from "./errors.js";
import { createUser, findUserById, findUserByName, hasActiveAdmin, listUsers, setPassword, setUserActive } from "../auth/users.js";
import { verifyPassword } from "../auth/passwords.js";
import { deleteUserSessions, SESSION_COOKIE } from "../auth/sessions.js";
import { parseCookies } from "./auth.js";
import { auditRequest } from "../audit/request.js";

const password = z.string().min(8, "at least 8 characters").max(256);
const newUser = z
  .object({
    username: z.string().min(1).max(32).regex(/^[a-z_][a-z0-9_.-]*$/i, "letters, digits, '_', '.' and '-' only"),
    password,
    role: z.enum(["admin", "viewer"]),
  })
  .strict();

const ownPassword = z.object({ currentPassword: z.string().max(256), newPassword: password }).strict();
const resetPassword = z.object({ password }).strict();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  return parsed.data;
}

export function userRoutes(deps: AppDeps): Router {
  const r = Router();
  // Every signed-in user changes their own password; their other sessions end.
  r.post("/me/password", async (req, res) => {
    const p = req.principal!;
    if (p.via !== "session") throw new InvalidInputError("the API token has no password; sign in as a user");
    const { currentPassword, newPassword } = parse(ownPassword, req.body);
    const user = findUserById(deps.db, p.user.id);
    if (!user || !(await verifyPassword(currentPassword, user.passwordHash))) throw new HttpError(403, "the current password is wrong");
    await setPassword(deps.db, user.id, newPassword);
    const ended = deleteUserSessions(deps.db, user.id, parseCookies(req.headers.cookie)[SESSION_COOKIE]);
    auditRequest(deps.db, req, "user.password", `user:${user.id}`, { username: user.username, otherSessionsEnded: ended });
    res.json({ id: user.id, otherSessionsEnded: ended });
  });
  // An admin sets another user's password (a lost one); all of that user's sessions end.
  r.post("/users/:id/password", requireAdmin, async (req, res) => {
    const id = Number(req.params.id);
    const user = Number.isSafeInteger(id) ? findUserById(deps.db, id) : undefined;
    if (!user) throw new NotFound(`no user ${req.params.id}`);
    const { password: next } = parse(resetPassword, req.body);
    await setPassword(deps.db, id, next);
    const ended = deleteUserSessions(deps.db, id);
    auditRequest(deps.db, req, "user.password-reset", `user:${id}`, { username: user.username, sessionsEnded: ended });
    res.json({ id, sessionsEnded: ended });
  });
  r.get("/users", requireAdmin, (_req, res) => void res.json(listUsers(deps.db)));
  r.post("/users", requireAdmin, async (req, res) => {
    const { username, password, role } = parse(newUser, req.body);
    if (findUserByName(deps.db, username)) throw new Conflict(`user ${username} exists already`);
    const id = await createUser(deps.db, username, password, role);
    auditRequest(deps.db, req, "user.create", `user:${id}`, { username, role });
    res.status(201).json({ id, username, role, active: true });
  });
  for (const action of ["activate", "deactivate"] as const) {
    r.post(`/users/:id/${action}`, requireAdmin, (req, res) => {
      const id = Number(req.params.id);
      const active = action === "activate";
      if (!Number.isSafeInteger(id) || !setUserActive(deps.db, id, active)) throw new NotFound(`no user ${req.params.id}`);
      if (!hasActiveAdmin(deps.db)) {
        setUserActive(deps.db, id, true);
        throw new Conflict("that would leave no active admin");
      }
      auditRequest(deps.db, req, `user.${action}`, `user:${id}`);
      res.json({ id, active });
    });
  }
  return r;
}
