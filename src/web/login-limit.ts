// Login attempts are limited per client address and per user name (express-rate-limit, in memory):
// after LOGIN_FAILURES_PER_MINUTE failed attempts in a minute the next one is refused before any
// password hash is computed. A successful login does not count.
import { rateLimit, ipKeyGenerator, type RateLimitRequestHandler } from "express-rate-limit";
import type { Request, Response } from "express";
import type { Logger } from "../log.js";
import { addressOf } from "../audit/request.js";

const LOGIN_FAILURES_PER_MINUTE = 10;

const userOf = (req: Request) => {
  const name = (req.body as { username?: unknown } | undefined)?.username;
  return typeof name === "string" ? name.trim().toLowerCase().slice(0, 64) : "";
};

export function loginLimiters(log: Logger, refuse: (req: Request, res: Response) => void): RateLimitRequestHandler[] {
  const common = {
    windowMs: 60_000,
    limit: LOGIN_FAILURES_PER_MINUTE,
    skipSuccessfulRequests: true,
    standardHeaders: "draft-8" as const,
    legacyHeaders: false,
    // Kiln never trusts X-Forwarded-For for the client address (KILN_TRUST_PROXY is for the scheme only).
    validate: { xForwardedForHeader: false },
  };
  const limited = (kind: string) => (req: Request, res: Response) => {
    log.warn({ ip: addressOf(req), username: userOf(req), per: kind }, "login refused: too many failed attempts");
    refuse(req, res);
  };
  return [
    rateLimit({ ...common, keyGenerator: (req) => `ip:${ipKeyGenerator(addressOf(req) ?? "")}`, handler: limited("address") }),
    rateLimit({ ...common, keyGenerator: (req) => `user:${userOf(req)}`, handler: limited("user") }),
  ];
}
