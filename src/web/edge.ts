// The web edge: the Host names Kiln answers to (a DNS-rebinding defence for the whole app), the
// browser origins that may send writes, and the scheme a trusted TLS proxy reports. The decisions
// are pure functions of the request's headers; the middlewares only refuse and log.
import { BlockList, isIP } from "node:net";
import type { Request, RequestHandler } from "express";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import { HttpError } from "./errors.js";

/** The names of this machine that need no setting. */
const LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"] as const;

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function allowedHosts(config: Pick<Config, "allowedHosts">): Set<string> {
  return new Set([...LOCAL_HOSTS, ...config.allowedHosts]);
}

/** The host name of a `Host` header or an origin's authority, lower case, without the port. */
function hostName(authority: string): string | null {
  try {
    return new URL(`http://${authority}`).hostname.toLowerCase() || null;
  } catch {
    return null;
  }
}

export function hostAllowed(hostHeader: string | undefined, allowed: Set<string>): boolean {
  const name = hostHeader ? hostName(hostHeader) : null;
  return name !== null && allowed.has(name);
}

/** The `Origin` header's host (with port) and name, or null for `null`/garbage origins. */
function parseOrigin(origin: string): { host: string; name: string } | null {
  try {
    const u = new URL(origin);
    if (u.protocol !== "http:" && u.protocol !== "https:") return null;
    return { host: u.host.toLowerCase(), name: u.hostname.toLowerCase() };
  } catch {
    return null;
  }
}

/**
 * Why a browser request must not write, or null. A browser's `Sec-Fetch-Site` is believed first
 * (`same-origin` may come with `Origin: null` from a no-referrer page); without it, an Origin must
 * name a host Kiln answers to. Scripts (curl, bearer tokens) send neither header.
 */
export function foreignWriteReason(headers: Request["headers"], allowed: Set<string>): string | null {
  const site = headers["sec-fetch-site"];
  if (site === "cross-site") return "cross-site request (Sec-Fetch-Site)";
  if (site === "same-origin") return null;
  const origin = headers.origin;
  if (origin === undefined) return null;
  const o = parseOrigin(origin);
  if (!o || !allowed.has(o.name)) return `foreign Origin ${JSON.stringify(origin)}`;
  return null;
}

/**
 * The stricter rule of the login-free actions (restart, first-run setup): the Host names this
 * machine, and the request comes from Kiln's own page (Sec-Fetch-Site same-origin, or an Origin of
 * exactly this host and port) or from no browser at all.
 */
export function localBrowserReason(headers: Request["headers"], allowed: Set<string>): string | null {
  if (!hostAllowed(headers.host, allowed)) return `Host ${JSON.stringify(headers.host ?? "")} does not name this machine`;
  const foreign = foreignWriteReason(headers, allowed);
  if (foreign) return foreign;
  const site = headers["sec-fetch-site"];
  if (site === "same-origin" || site === "none") return null;
  if (site !== undefined) return `${site} request (Sec-Fetch-Site)`;
  const origin = headers.origin;
  if (origin !== undefined && parseOrigin(origin)?.host !== new URL(`http://${headers.host}`).host.toLowerCase()) {
    return `Origin ${JSON.stringify(origin)} is not Kiln's own`;
  }
  return null;
}

/** Every request: a Host Kiln answers to (421 otherwise), and no foreign browser write (403). */
export function edgeGuard(config: Config, log: Logger): RequestHandler {
  const allowed = allowedHosts(config);
  return (req, _res, next) => {
    if (!hostAllowed(req.headers.host, allowed)) {
      log.warn({ host: req.headers.host ?? null, ip: req.socket.remoteAddress, path: req.path },
        "refused a request for a Host Kiln does not answer to (add it to KILN_ALLOWED_HOSTS if it is yours)");
      return next(new HttpError(421, `Kiln does not answer to the Host ${JSON.stringify(req.headers.host ?? "")}; add it to KILN_ALLOWED_HOSTS`));
    }
    if (!SAFE_METHODS.has(req.method)) {
      const reason = foreignWriteReason(req.headers, allowed);
      if (reason) {
        log.warn({ ip: req.socket.remoteAddress, path: req.path, reason }, "refused a cross-site write");
        return next(new HttpError(403, `refused: ${reason}`));
      }
    }
    next();
  };
}

/** Whether cookies must be Secure: TLS here, or X-Forwarded-Proto: https from a trusted proxy. */
export function secureScheme(trustProxy: readonly string[]): (req: Request) => boolean {
  const trusted = new BlockList();
  for (const entry of trustProxy) {
    const [addr, bits] = entry.split("/") as [string, string | undefined];
    const type = isIP(addr) === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) trusted.addAddress(addr, type);
    else trusted.addSubnet(addr, Number(bits), type);
  }
  return (req) => {
    if ((req.socket as { encrypted?: boolean }).encrypted) return true;
    const peer = req.socket.remoteAddress;
    if (!peer || trustProxy.length === 0) return false;
    const plain = peer.startsWith("::ffff:") ? peer.slice(7) : peer;
    if (!trusted.check(plain, isIP(plain) === 6 ? "ipv6" : "ipv4")) return false;
    const proto = req.headers["x-forwarded-proto"];
    return typeof proto === "string" && proto.split(",")[0]!.trim().toLowerCase() === "https";
  };
}
