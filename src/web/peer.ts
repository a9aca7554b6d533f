// Whether a request really comes from this machine: the TCP peer decides, never a header, and a
// request that carries proxy headers is never loopback (a reverse proxy on this host would be).
import type { Request } from "express";
import { localBrowserReason } from "./edge.js";

const PROXY_HEADERS = ["forwarded", "x-forwarded-for", "x-real-ip", "x-forwarded-proto", "x-forwarded-host"];

export function isLoopbackAddress(addr: string | undefined): boolean {
  if (!addr) return false;
  const a = addr.startsWith("::ffff:") ? addr.slice(7) : addr;
  return a === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

export function isLoopbackRequest(req: Request): boolean {
  if (PROXY_HEADERS.some((h) => req.headers[h] !== undefined)) return false;
  return isLoopbackAddress(req.socket.remoteAddress);
}

/**
 * Why a login-free action (restart, first-run setup) is refused, or null: the TCP peer must be
 * loopback without proxy headers, and the browser headers must name this machine and Kiln's own page.
 */
export function loopbackRefusal(req: Request, allowed: Set<string>): string | null {
  if (!isLoopbackRequest(req)) return "allowed from loopback only";
  const reason = localBrowserReason(req.headers, allowed);
  return reason ? `refused from a browser page that is not Kiln's: ${reason}` : null;
}
