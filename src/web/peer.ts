// Whether a request really comes from this machine: the TCP peer decides, never a header, and a
// request that carries proxy headers is never loopback (a reverse proxy on this host would be).
import type { Request } from "express";

const PROXY_HEADERS = ["forwarded", "x-forwarded-for", "x-real-ip"];

export function isLoopbackAddress(addr: string | undefined): boolean {
  if (!addr) return false;
  const a = addr.startsWith("::ffff:") ? addr.slice(7) : addr;
  return a === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

export function isLoopbackRequest(req: Request): boolean {
  if (PROXY_HEADERS.some((h) => req.headers[h] !== undefined)) return false;
  return isLoopbackAddress(req.socket.remoteAddress);
}
