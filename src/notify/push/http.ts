// The one narrow wrapper for Kiln's outbound HTTP: Node's fetch with a timeout and no redirects,
// and an answer turned into data. 2xx is sent; 429 and 5xx and network failures may pass with time;
// any other 4xx (and a redirect) is permanent. Error texts never carry a secret of the target.
import type { SendResult } from "../mailer.js";
import type { HttpRequest } from "./types.js";

export interface HttpOptions {
  timeoutMs: number;
  /** The service's name for error texts, e.g. "telegram". */
  service: string;
  /** Strings to replace with *** in any error text. */
  secrets: string[];
  userAgent?: string;
}

/** Replaces every secret (and its URL-encoded form) with ***. Very short strings are left: no secret is that short. */
export function scrub(text: string, secrets: string[]): string {
  let out = text;
  const all = secrets.flatMap((s) => [s, encodeURIComponent(s)]).filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  for (const s of all) out = out.split(s).join("***");
  return out;
}

/** What a service said was wrong, from its error body (JSON fields the services document, or short text). */
export function describeBody(body: string): string {
  const text = body.trim();
  if (!text) return "";
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const errors = Array.isArray(j.errors) ? j.errors.join("; ") : undefined;
    const why = [j.description, j.errorDescription, errors, j.message, j.error].find((v) => typeof v === "string" && v);
    return typeof why === "string" ? why.slice(0, 300) : text.slice(0, 200);
  } catch {
    return /^</.test(text) ? "" : text.replace(/\s+/g, " ").slice(0, 200);
  }
}

/** Retry-After in seconds or as a date, or a JSON retry_after (Discord, Telegram's parameters.retry_after). */
export function retryAfterMs(header: string | null, body: string, now = Date.now()): number | undefined {
  if (header) {
    const s = Number(header);
    if (Number.isFinite(s) && s >= 0) return Math.round(s * 1000);
    const at = Date.parse(header);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  try {
    const j = JSON.parse(body) as { retry_after?: unknown; parameters?: { retry_after?: unknown } };
    const s = Number(j.retry_after ?? j.parameters?.retry_after);
    if (Number.isFinite(s) && s >= 0) return Math.round(s * 1000);
  } catch {
    /* not JSON */
  }
  return undefined;
}

function networkError(err: unknown, opts: HttpOptions): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer from ${opts.service} within ${Math.round(opts.timeoutMs / 100) / 10} s`;
  const cause = e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
  return `cannot reach ${opts.service}: ${cause}`;
}

export async function sendHttp(req: HttpRequest, opts: HttpOptions): Promise<SendResult> {
  let status: number;
  let body: string;
  let retryHeader: string | null;
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: { "user-agent": opts.userAgent ?? "Kiln", ...req.headers },
      body: req.body,
      redirect: "manual",
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    status = res.status;
    retryHeader = res.headers.get("retry-after");
    body = await res.text();
  } catch (err) {
    return { ok: false, permanent: false, error: scrub(networkError(err, opts), opts.secrets) };
  }
  if (status >= 200 && status < 300) return { ok: true, messageId: `HTTP ${status}` };
  const why = describeBody(body);
  const error = scrub(`HTTP ${status} from ${opts.service}${why ? `: ${why}` : ""}`, opts.secrets);
  if (status === 429) return { ok: false, permanent: false, error, retryAfterMs: retryAfterMs(retryHeader, body) };
  if (status >= 300 && status < 400) return { ok: false, permanent: true, error: `${error} (a redirect: give the final URL)` };
  if (status >= 400 && status < 500) return { ok: false, permanent: true, error: `${error} (not retried)` };
  return { ok: false, permanent: false, error };
}
