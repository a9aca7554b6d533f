// The one place that reads the environment. Every key has a default and a line in .env.example;
// secrets may also come from NAME_FILE (a path whose contents are the value).
import { readFileSync } from "node:fs";
import path from "node:path";
import { isIP } from "node:net";
import { z } from "zod";
import { parseTargetUrl, schemeOf, splitTargetUrls } from "./notify/push/channels.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const schema = z.object({
  KILN_BIND: z.string().min(1).default("127.0.0.1"),
  KILN_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  KILN_DATA_DIR: z.string().min(1).default("./data"),
  KILN_API_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  KILN_ADMIN_PASSWORD: z.string().min(8, "must be at least 8 characters").optional(),
  KILN_GATE_SECONDS: z.coerce.number().min(0).max(3600).default(5),
  KILN_MAX_PARALLEL: z.coerce.number().int().min(1).max(256).default(8),
  KILN_SMTP_URL: z.string().url().optional(),
  KILN_MAIL_FROM: z.string().optional(),
  KILN_MAIL_TO: z.string().optional(),
  /** The base of links in e-mails (reports); unset = http://127.0.0.1:<port>. */
  KILN_PUBLIC_URL: z.string().url().optional(),
  /** First retry delay of a notification that failed to send; doubles per attempt up to 5 minutes. */
  KILN_MAIL_RETRY_SECONDS: z.coerce.number().min(0.05).max(300).default(15),
  /** Push alert targets, space-separated, in shoutrrr's URL forms (src/notify/push/). */
  KILN_NOTIFY_URLS: z.string().optional(),
  /** How long one request to a push target may take before it counts as failed (and is retried). */
  KILN_NOTIFY_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(300).default(10),
  KILN_LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  /** How often the per-host reader polls job logs, in milliseconds. */
  KILN_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  /** A host unreachable for longer than this raises an attention e-mail. */
  KILN_ALERT_UNREACHABLE_MINUTES: z.coerce.number().min(0.05).max(100_000).default(15),
  /** How often the temperature guard reads a drive's temperature during a surface test. */
  KILN_TEMP_SAMPLE_SECONDS: z.coerce.number().min(1).max(3600).default(60),
  /** No new output for this long while badblocks lives: a warning on the job. */
  KILN_STUCK_WARN_MINUTES: z.coerce.number().min(0.05).max(100_000).default(30),
  /** No new output for this long: the job ends `unknown` and its process group is stopped. */
  KILN_STUCK_LIMIT_MINUTES: z.coerce.number().min(0.1).max(100_000).default(24 * 60),
  /** Seconds between the badblocks status lines kept in a job's log: the resolution of its speed-across-disk curve. */
  KILN_PROGRESS_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  /** A finished job's directories on its host are removed this many days after it ended; 0 = never. */
  KILN_RETAIN_JOB_DIRS_DAYS: z.coerce.number().min(0).max(36_500).default(30),
  /** Samples of jobs that ended this many days ago are thinned to one per 10 minutes; 0 = never. */
  KILN_THIN_SAMPLES_DAYS: z.coerce.number().min(0).max(36_500).default(90),
  /** Extra Host names Kiln answers to besides localhost, 127.0.0.1 and [::1] (comma-separated). */
  KILN_ALLOWED_HOSTS: z.string().optional(),
  /** `off` disables the login-free restart from loopback. */
  KILN_LOOPBACK_RESTART: z.enum(["on", "off"]).default("on"),
  /** The reverse proxy's address(es) or subnet(s), comma-separated: trusted for the scheme only. */
  KILN_TRUST_PROXY: z.string().optional(),
});

export interface Config {
  bind: string;
  port: number;
  dataDir: string;
  apiToken: string | undefined;
  adminPassword: string | undefined;
  gateSeconds: number;
  maxParallel: number;
  smtpUrl: string | undefined;
  mailFrom: string | undefined;
  mailTo: string[];
  publicUrl: string | undefined;
  mailRetryBaseMs: number;
  notifyUrls: string[];
  notifyTimeoutMs: number;
  logLevel: (typeof LOG_LEVELS)[number];
  pollMs: number;
  stuckWarnMs: number;
  stuckLimitMs: number;
  tempSampleMs: number;
  alertUnreachableMs: number;
  progressSeconds: number;
  retainJobDirsDays: number;
  thinSamplesDays: number;
  /** Host names (lower case, no port) Kiln answers to besides the loopback names. */
  allowedHosts: string[];
  loopbackRestart: boolean;
  /** Addresses or CIDR subnets whose X-Forwarded-Proto is believed (Secure cookies only). */
  trustProxy: string[];
}

export class ConfigError extends Error {}

const SECRET_KEYS = ["KILN_API_TOKEN", "KILN_ADMIN_PASSWORD", "KILN_SMTP_URL", "KILN_NOTIFY_URLS"] as const;

/** Every KILN_NOTIFY_URLS entry must parse; the error names the entry by position and kind, never its secrets. */
function notifyUrlsOf(value: string | undefined): string[] {
  const urls = splitTargetUrls(value);
  const problems = urls.flatMap((url, i) => {
    const p = parseTargetUrl(url);
    return p.ok ? [] : [`  KILN_NOTIFY_URLS: target ${i + 1} (${schemeOf(url)}): ${p.error}`];
  });
  if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}`);
  return [...new Set(urls)];
}

function withFileSecrets(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    out[key] = value === "" ? undefined : value;
  }
  for (const key of SECRET_KEYS) {
    const file = env[`${key}_FILE`];
    if (out[key] === undefined && file) {
      try {
        out[key] = readFileSync(file, "utf8").trim();
      } catch (err) {
        throw new ConfigError(`${key}_FILE: cannot read ${file}: ${(err as Error).message}`);
      }
    }
  }
  return out;
}

const list = (v: string | undefined) => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean);

/** "Kiln.Example:8443" → "kiln.example"; "[::1]:80" → "[::1]". */
function hostOnly(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.indexOf(":");
  if (colon < 0) return h;
  return h.indexOf(":", colon + 1) < 0 ? h.slice(0, colon) : `[${h}]`;
}

/** An address ("10.0.0.5", "::1") or a subnet ("10.0.0.0/8"), as KILN_TRUST_PROXY takes them. */
function isAddressOrSubnet(s: string): boolean {
  const [addr, bits, extra] = s.split("/");
  if (extra !== undefined || !addr || isIP(addr) === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (isIP(addr) === 4 ? 32 : 128);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(withFileSecrets(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const badProxy = list(e.KILN_TRUST_PROXY).filter((a) => !isAddressOrSubnet(a));
  if (badProxy.length) throw new ConfigError(`Invalid configuration:\n  KILN_TRUST_PROXY: not an address or subnet: ${badProxy.join(", ")}`);
  return {
    bind: e.KILN_BIND,
    port: e.KILN_PORT,
    dataDir: path.resolve(e.KILN_DATA_DIR),
    apiToken: e.KILN_API_TOKEN,
    adminPassword: e.KILN_ADMIN_PASSWORD,
    gateSeconds: e.KILN_GATE_SECONDS,
    maxParallel: e.KILN_MAX_PARALLEL,
    smtpUrl: e.KILN_SMTP_URL,
    mailFrom: e.KILN_MAIL_FROM,
    mailTo: (e.KILN_MAIL_TO ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    publicUrl: e.KILN_PUBLIC_URL?.replace(/\/+$/, ""),
    mailRetryBaseMs: Math.round(e.KILN_MAIL_RETRY_SECONDS * 1000),
    notifyUrls: notifyUrlsOf(e.KILN_NOTIFY_URLS),
    notifyTimeoutMs: Math.round(e.KILN_NOTIFY_TIMEOUT_SECONDS * 1000),
    logLevel: e.KILN_LOG_LEVEL,
    pollMs: e.KILN_POLL_MS,
    tempSampleMs: e.KILN_TEMP_SAMPLE_SECONDS * 1000,
    alertUnreachableMs: e.KILN_ALERT_UNREACHABLE_MINUTES * 60_000,
    stuckWarnMs: e.KILN_STUCK_WARN_MINUTES * 60_000,
    stuckLimitMs: e.KILN_STUCK_LIMIT_MINUTES * 60_000,
    progressSeconds: e.KILN_PROGRESS_SECONDS,
    retainJobDirsDays: e.KILN_RETAIN_JOB_DIRS_DAYS,
    thinSamplesDays: e.KILN_THIN_SAMPLES_DAYS,
    allowedHosts: list(e.KILN_ALLOWED_HOSTS).map(hostOnly),
    loopbackRestart: e.KILN_LOOPBACK_RESTART === "on",
    trustProxy: list(e.KILN_TRUST_PROXY),
  };
}
