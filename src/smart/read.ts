// What smartctl printed on a host, parsed: the `smart` and `smartCommand` verbs of the host port
// (hosts/verbs.ts) run smart/commands.ts's scripts and hand their results to these parsers.
import type { ExecResult } from "../ssh/port.js";
import { decodeExitStatus, type ExitStatus } from "./exit-status.js";
import type { SmartSnapshot } from "./model.js";
import { parseSmartctl } from "./parse.js";
import { parseFarm, type FarmReading } from "./farm.js";

export type SmartReading =
  | { ok: true; snapshot: SmartSnapshot; raw: unknown }
  | { ok: false; reason: string };

export function parseSmartRead(res: ExecResult): SmartReading {
  const code = res.code;
  if (code === 124) return { ok: false, reason: "smartctl timed out" };
  if (code === 127) return { ok: false, reason: res.stderr.toString("utf8").trim() || "smartctl is not installed on the host" };
  const text = res.stdout.toString("utf8");
  const parsed = parseSmartctl(text, code);
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  return { ok: true, snapshot: parsed.snapshot, raw: JSON.parse(text) as unknown };
}

/** Seagate's FARM log (smartctl 7.4+ `-l farm`), or why it is not available. Never fails on the drive's answer. */
export function parseFarmRead(res: ExecResult): FarmReading {
  if (res.code === 124) return { available: false, reason: "smartctl -l farm timed out" };
  return parseFarm(res.stdout.toString("utf8"));
}

export interface CommandOutcome {
  /** smartctl accepted the command (no "could not" bits 0-2 set). */
  ok: boolean;
  exit: ExitStatus | null;
  /** smartctl's own messages, or stderr when it printed no JSON. */
  message: string;
}

export function parseSmartCommand(res: ExecResult): CommandOutcome {
  const code = res.code ?? 255;
  let message = res.stderr.toString("utf8").trim();
  try {
    const j = JSON.parse(res.stdout.toString("utf8")) as { smartctl?: { messages?: { string?: string }[] } };
    const msgs = (j.smartctl?.messages ?? []).map((m) => m.string ?? "").filter(Boolean);
    if (msgs.length) message = msgs.join(" ").replace(/\s+/g, " ");
  } catch {
    /* no JSON: stderr says why */
  }
  const exit = res.code === null ? null : decodeExitStatus(code);
  return { ok: exit !== null && (code & 0b111) === 0, exit, message: message || `smartctl exit ${res.code ?? res.signal}` };
}
