// Users and the bootstrap admin (CONTRACT.md: "Bootstrap admin").
import type { Db } from "../db/open.js";
import type { Config } from "../config.js";
import { hashPassword } from "./passwords.js";

export type Role = "admin" | "viewer";

export interface User {
  id: number;
  username: string;
  role: Role;
  active: boolean;
}

export interface UserRow extends User {
  passwordHash: string;
}

export function findUserByName(db: Db, username: string): UserRow | undefined {
  const row = db
    .prepare(
      "SELECT id, username, role, active, password_hash AS passwordHash FROM users WHERE username = ?",
    )
    .get(username) as (Omit<UserRow, "active"> & { active: number }) | undefined;
  return row && { ...row, active: row.active === 1 };
}

export function hasActiveAdmin(db: Db): boolean {
  return db.prepare("SELECT 1 FROM users WHERE role = 'admin' AND active = 1 LIMIT 1").get() !== undefined;
}

/** The password the contract gives the bootstrap admin, or undefined when neither variable is set. */
function bootstrapPassword(config: Config): string | undefined {
  return config.adminPassword ?? config.apiToken?.slice(0, 16);
}

export async function createOrPromoteAdmin(db: Db, username: string, password: string): Promise<void> {
  const hash = await hashPassword(password);
  db.prepare(
    `INSERT INTO users (username, password_hash, role, active) VALUES (?, ?, 'admin', 1)
     ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash, role = 'admin', active = 1`,
  ).run(username, hash);
}

/**
 * On every boot: if no active admin exists, create `admin` (or re-activate and promote an existing
 * `admin` row) with the bootstrap password. Returns what it did, for the log.
 */
export async function bootstrapAdmin(db: Db, config: Config): Promise<"exists" | "created" | "needs-setup"> {
  if (hasActiveAdmin(db)) return "exists";
  const password = bootstrapPassword(config);
  if (password === undefined) return "needs-setup";
  await createOrPromoteAdmin(db, "admin", password);
  return "created";
}

export function listUsers(db: Db): User[] {
  return (db.prepare("SELECT id, username, role, active FROM users ORDER BY username").all() as (Omit<User, "active"> & { active: number })[])
    .map((u) => ({ ...u, active: u.active === 1 }));
}

/** Creates a user; returns its id. The caller checks that the name is free. */
export async function createUser(db: Db, username: string, password: string, role: Role): Promise<number> {
  const hash = await hashPassword(password);
  return Number(
    db.prepare("INSERT INTO users (username, password_hash, role, active) VALUES (?, ?, ?, 1)").run(username, hash, role).lastInsertRowid,
  );
}

export function setUserActive(db: Db, id: number, active: boolean): boolean {
  return db.prepare("UPDATE users SET active = ? WHERE id = ?").run(active ? 1 : 0, id).changes === 1;
}

export function findUserById(db: Db, id: number): UserRow | undefined {
  const row = db
    .prepare("SELECT id, username, role, active, password_hash AS passwordHash FROM users WHERE id = ?")
    .get(id) as (Omit<UserRow, "active"> & { active: number }) | undefined;
  return row && { ...row, active: row.active === 1 };
}

/** Sets a user's password; returns false when there is no such user. */
export async function setPassword(db: Db, id: number, password: string): Promise<boolean> {
  const hash = await hashPassword(password);
  return db.prepare("UPDATE users SET password_hash = ? WHERE id = ?").run(hash, id).changes === 1;
}
