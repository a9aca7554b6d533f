// What a push channel (ntfy, Gotify, Discord, Slack, Telegram, Pushover, a JSON webhook) is: a pure
// parser of its shoutrrr-style URL into a target, and a pure builder of the one HTTP request that
// delivers a message there. No I/O here: src/notify/push/http.ts sends, src/notify/push/notifier.ts wires.
import type { PushPayload } from "./payload.js";

export interface HttpRequest {
  url: string;
  method: "POST";
  headers: Record<string, string>;
  body: string;
}

/** What every push channel is handed: a short title and text for a phone, and the event's facts. */
export interface PushMessage {
  title: string;
  text: string;
  payload: PushPayload;
}

export interface PushTarget {
  /** The channel's name, e.g. "telegram". */
  kind: string;
  /** The URL with every secret replaced by ***, for the settings page and logs. */
  masked: string;
  /** Strings that must never reach a log or an error text (tokens, passwords, keys). */
  secrets: string[];
  /** The requests that deliver one message (one per chat where a service takes one chat a request). */
  requests(message: PushMessage): HttpRequest[];
}

export type ParseResult = { ok: true; target: PushTarget } | { ok: false; error: string };

export interface PushChannel {
  name: string;
  /** URL schemes it owns, without the colon. */
  schemes: string[];
  /** The documented URL form, shown in errors and on the settings page. */
  form: string;
  parse(url: URL): ParseResult;
}

export const fail = (error: string): ParseResult => ({ ok: false, error });

/** A secret shown as its first two characters and ***, enough to tell two targets apart. */
export function maskTail(s: string): string {
  return s.length >= 8 ? `${s.slice(0, 2)}***` : "***";
}

export const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** Cuts text to a service's limit, marking the cut. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/**
 * The documented override for services with a fixed host (Discord, Slack, Telegram, Pushover):
 * `?endpoint=http://127.0.0.1:8081` replaces the service's scheme, host and port (and may add a path
 * prefix); the service's own path follows. For a local Telegram Bot API server, a proxy, or tests.
 */
export function endpointOf(url: URL, fallback: string): { ok: true; base: string } | { ok: false; error: string } {
  const raw = url.searchParams.get("endpoint");
  if (raw === null) return { ok: true, base: fallback };
  let e: URL;
  try {
    e = new URL(raw);
  } catch {
    return { ok: false, error: "endpoint= must be an http:// or https:// URL" };
  }
  if (e.protocol !== "http:" && e.protocol !== "https:") return { ok: false, error: "endpoint= must be an http:// or https:// URL" };
  if (e.username || e.password || e.search || e.hash) return { ok: false, error: "endpoint= takes scheme, host, port and a path prefix only" };
  return { ok: true, base: `${e.origin}${e.pathname.replace(/\/+$/, "")}` };
}

/** The masked `endpoint=` suffix, when one is set (it holds no secret). */
export const endpointSuffix = (url: URL) => (url.searchParams.has("endpoint") ? `endpoint=${url.searchParams.get("endpoint")}` : "");

export const json = (url: string, body: unknown, headers: Record<string, string> = {}): HttpRequest => ({
  url, method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body),
});
