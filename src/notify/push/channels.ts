// The push channels, as an explicit list, and the one parser of a target URL. To add a channel:
// a file beside this one exporting a PushChannel, listed here (CONTRIBUTING.md, "Add a notifier").
import { discord } from "./discord.js";
import { gotify } from "./gotify.js";
import { ntfy } from "./ntfy.js";
import { pushover } from "./pushover.js";
import { slack } from "./slack.js";
import { telegram } from "./telegram.js";
import { webhook } from "./webhook.js";
import type { ParseResult, PushChannel } from "./types.js";

export const PUSH_CHANNELS: readonly PushChannel[] = [ntfy, gotify, discord, slack, telegram, pushover, webhook];

const BY_SCHEME = new Map(PUSH_CHANNELS.flatMap((c) => c.schemes.map((s) => [s, c] as const)));

/** What a URL may be shown as before it parsed: its scheme only (anything after may be a secret). */
export function schemeOf(raw: string): string {
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(raw.trim());
  return m ? `${m[1]!.toLowerCase()}://…` : "(not a URL)";
}

/** Parses one target URL. Errors say what is wrong and the expected form, never the URL's values. */
export function parseTargetUrl(raw: string): ParseResult {
  const text = raw.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (!scheme) return { ok: false, error: "not a URL: expected scheme://…, e.g. ntfy://ntfy.sh/my-topic" };
  const channel = BY_SCHEME.get(scheme);
  if (!channel) {
    return { ok: false, error: `unknown kind "${scheme}": use ${PUSH_CHANNELS.flatMap((c) => c.schemes).map((s) => `${s}://`).join(", ")}` };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: `not a valid URL; the form is ${channel.form}` };
  }
  const parsed = channel.parse(url);
  return parsed.ok ? parsed : { ok: false, error: `${channel.name}: ${parsed.error}; the form is ${channel.form}` };
}

/** KILN_NOTIFY_URLS: space-separated (newlines too, for a _FILE). */
export const splitTargetUrls = (value: string | undefined) => (value ?? "").split(/\s+/).filter(Boolean);
