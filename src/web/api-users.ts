// Users: admins manage accounts; a viewer can read everything and change nothing.
import { Router } from "express";
import { z } from "zod";
import type { AppDeps } from "./deps.js";
import { requireAdmin } from "./auth.js";
import { HttpError, notFound } from "./errors.js";
import { createUser, findUserByName, hasActiveAdmin, listUsers, setUserActive } from "../auth/users.js";
import { auditRequest } from "../audit/request.js";

const newUser = z
  .object({
    username: z.string().min(1).max(32).regex(/^[a-z_][a-z0-9_.-]*$/i, "letters, digits, '_', '.' and '-' only"),
    password: z.string().min(8, "at least 8 characters").max(256),
    role: z.enum(["admin", "viewer"]),
  })
  .strict();

export function userRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get("/users", requireAdmin, (_req, res) => void res.json(listUsers(deps.db)));
  r.post("/users", requireAdmin, async (req, res) => {
    const parsed = newUser.safeParse(req.body ?? {});
    if (!parsed.success) throw new HttpError(400, parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    const { username, password, role } = parsed.data;
    if (findUserByName(deps.db, username)) throw new HttpError(409, `user ${username} exists already`);
    const id = await createUser(deps.db, username, password, role);
    auditRequest(deps.db, req, "user.create", `user:${id}`, { username, role });
    res.status(201).json({ id, username, role, active: true });
  });
  for (const action of ["activate", "deactivate"] as const) {
    r.post(`/users/:id/${action}`, requireAdmin, (req, res) => {
      const id = Number(req.params.id);
      const active = action === "activate";
      if (!Number.isSafeInteger(id) || !setUserActive(deps.db, id, active)) throw notFound(`no user ${req.params.id}`);
      if (!hasActiveAdmin(deps.db)) {
        setUserActive(deps.db, id, true);
        throw new HttpError(409, "that would leave no active admin");
      }
      auditRequest(deps.db, req, `user.${action}`, `user:${id}`);
      res.json({ id, active });
    });
  }
  return r;
}
