// HTTP errors as data, and the one error handler: JSON for the API, a page for people.
import type { ErrorRequestHandler } from "express";
import type { Logger } from "../log.js";
import { HostError } from "../ssh/port.js";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** More JSON fields for the API answer (e.g. a host check's `checks`). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const badRequest = (msg: string) => new HttpError(400, msg);
export const notFound = (msg = "not found") => new HttpError(404, msg);
export const conflict = (msg: string) => new HttpError(409, msg);

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

function statusAndMessage(err: unknown): { status: number; message: string; extra?: Record<string, unknown> } {
  if (err instanceof HttpError) return { status: err.status, message: err.message, ...(err.extra ? { extra: err.extra } : {}) };
  if (err instanceof HostError) {
    const status = err.kind === "hostkey" ? 409 : err.kind === "auth" ? 422 : 502;
    return { status, message: err.message };
  }
  const bp = err as BodyParserError;
  if (bp && bp.type === "entity.parse.failed") return { status: 400, message: "malformed JSON body" };
  if (bp && bp.type === "entity.too.large") return { status: 413, message: "request body too large" };
  if (bp && typeof bp.status === "number" && bp.status >= 400 && bp.status < 500 && bp.expose) {
    return { status: bp.status, message: (err as Error).message };
  }
  if (err && (err as { name?: string }).name === "InvalidInputError") {
    return { status: 400, message: (err as Error).message };
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
