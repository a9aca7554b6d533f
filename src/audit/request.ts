// The web edge of the audit log: the actor and address of a request, and one call to record it.
import type { Request } from "express";
import type { Db } from "../db/open.js";
import { recordAudit, type AuditAction } from "./log.js";

/** The signed-in user, the API token's user, or "loopback" for the login-free restart. */
function actorOf(req: Request): string {
  return req.principal?.user.username ?? "loopback";
}

/** The TCP peer, never a header (trust proxy is off). IPv4-mapped IPv6 is shown as IPv4. */
export function addressOf(req: Request): string | null {
  const a = req.socket.remoteAddress ?? null;
  return a && a.startsWith("::ffff:") ? a.slice(7) : a;
}

export function auditRequest(db: Db, req: Request, action: AuditAction, target: string | null, detail?: object): void {
  recordAudit(db, { actor: actorOf(req), address: addressOf(req), action, target, detail: detail ?? null });
}
