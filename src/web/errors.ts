// HTTP errors as data, and the one error handler: JSON for the API, a page for people. The one place
// where the core's errors (src/errors.ts) and a host's (HostError) become status codes.
import type { ErrorRequestHandler } from "express";
import type { Logger } from "../log.js";
import { DomainError, type DomainErrorKind } from "../errors.js";
import { HostError } from "../ssh/port.js";

/** A refusal only the web edge knows: authentication (401), rights (403), a foreign Host header (421). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The status code of each kind of core error. */
const DOMAIN_STATUS: Record<DomainErrorKind, number> = {
  invalid: 400,
  "not-found": 404,
  conflict: 409,
  refused: 422,
};

/** A host key that changed is a conflict to resolve (re-pin); refused credentials are the input's fault. */
const HOST_ERROR_STATUS: Record<HostError["kind"], number> = {
  hostkey: 409,
  auth: 422,
  unreachable: 502,
  timeout: 502,
  exec: 502,
};

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

export function statusAndMessage(err: unknown): { status: number; message: string; extra?: Record<string, unknown> } {
  if (err instanceof HttpError) return { status: err.status, message: err.message };
  if (err instanceof DomainError) {
    return { status: DOMAIN_STATUS[err.kind], message: err.message, ...(err.details ? { extra: err.details } : {}) };
  }
  if (err instanceof HostError) return { status: HOST_ERROR_STATUS[err.kind], message: err.message };
  const bp = err as BodyParserError;
  if (bp && bp.type === "entity.parse.failed") return { status: 400, message: "malformed JSON body" };
  if (bp && bp.type === "entity.too.large") return { status: 413, message: "request body too large" };
  if (bp && typeof bp.status === "number" && bp.status >= 400 && bp.status < 500 && bp.expose) {
    return { status: bp.status, message: (err as Error).message };
  }
  return { status: 500, message: "internal error" };
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { status, message, extra } = statusAndMessage(err);
    if (status >= 500) log.error({ err, path: req.path }, "request failed");
    if (res.headersSent) return void res.end();
    if (req.path.startsWith("/api/") || !req.accepts("html")) {
      res.status(status).json({ error: message, ...extra });
    } else {
      res.status(status).render("error.njk", { title: "Error", status, message });
    }
  };
}
