// Runs smartctl on a host through the one SSH port and parses what it printed.
import type { HostRegistry } from "../hosts/registry.js";
import { decodeExitStatus, type ExitStatus } from "./exit-status.js";
import type { SmartSnapshot } from "./model.js";
import { parseSmartctl } from "./parse.js";
import { parseFarm, type FarmReading } from "./farm.js";
import { selfTestAbortScript, selfTestStartScript, smartReadScript, type SmartRead } from "./commands.js";

export interface SmartTarget {
  registry: HostRegistry;
  hostId: number;
  device: string;
}

export type SmartReading =
  | { ok: true; snapshot: SmartSnapshot; raw: unknown }
  | { ok: false; reason: string };

export async function readSmart(t: SmartTarget, what: SmartRead = "all"): Promise<SmartReading> {
  const res = await t.registry.exec(t.hostId, smartReadScript(t.device, what), { timeoutMs: 180_000 });
  const code = res.code;
  if (code === 124) return { ok: false, reason: "smartctl timed out" };
  if (code === 127) return { ok: false, reason: res.stderr.toString("utf8").trim() || "smartctl is not installed on the host" };
  const text = res.stdout.toString("utf8");
  const parsed = parseSmartctl(text, code);
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  return { ok: true, snapshot: parsed.snapshot, raw: JSON.parse(text) as unknown };
}

/** Seagate's FARM log (smartctl 7.4+ `-l farm`), or why it is not available. Never throws on the drive's answer. */
export async function readFarm(t: SmartTarget): Promise<FarmReading> {
  const res = await t.registry.exec(t.hostId, smartReadScript(t.device, "farm"), { timeoutMs: 180_000 });
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

async function command(t: SmartTarget, script: string): Promise<CommandOutcome> {
  const res = await t.registry.exec(t.hostId, script, { timeoutMs: 90_000 });
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

export function startSelfTest(t: SmartTarget, kind: "short" | "long"): Promise<CommandOutcome> {
  return command(t, selfTestStartScript(t.device, kind));
}

export function abortSelfTest(t: SmartTarget): Promise<CommandOutcome> {
  return command(t, selfTestAbortScript(t.device));
}
