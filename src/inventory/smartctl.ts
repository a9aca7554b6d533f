// Identity and temperature from `smartctl --json -i -A DEV`, and whether SMART is usable.
// smartctl's exit code is a bitmask: bit 0 = command line did not parse, bit 1 = device open failed
// (or skipped in standby), bit 2 = some SMART/ATA command failed, bits 3-7 = drive status. Only
// bits 0-1 mean "no data"; the rest still come with valid JSON and are decoded by later stages.
import type { DriveSmart } from "./types.js";

export interface SmartIdentity {
  serial: string | null;
  model: string | null;
  firmware: string | null;
  wwn: string | null;
  /** "ATA", "NVMe", "SCSI" from device.protocol. */
  protocol: string | null;
  /** 0 for solid state, RPM for spinning disks, null when not reported. */
  rotationRate: number | null;
  temperatureC: number | null;
}

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {};
}

function text(v: unknown): string | null {
  return typeof v === "string" && v.trim() !== "" ? v.trim() : null;
}

function int(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** ATA/SCSI WWN as lsblk prints it: "0x" + NAA (1 hex digit) + OUI (6) + ID (9). */
function wwnOf(v: unknown): string | null {
  const w = obj(v);
  const naa = int(w.naa), oui = int(w.oui), id = int(w.id);
  if (naa === null || oui === null || id === null) return null;
  return `0x${naa.toString(16)}${oui.toString(16).padStart(6, "0")}${id.toString(16).padStart(9, "0")}`;
}

export function smartIdentity(raw: unknown): SmartIdentity {
  const j = obj(raw);
  const scsiModel = [text(j.scsi_vendor), text(j.scsi_product)].filter(Boolean).join(" ");
  return {
    serial: text(j.serial_number),
    model: text(j.model_name) ?? text(j.scsi_model_name) ?? (scsiModel || null),
    firmware: text(j.firmware_version) ?? text(j.scsi_revision),
    wwn: wwnOf(j.wwn),
    protocol: text(obj(j.device).protocol),
    rotationRate: int(j.rotation_rate),
    temperatureC: int(obj(j.temperature).current),
  };
}

function firstError(raw: unknown): string | null {
  const messages = obj(obj(raw).smartctl).messages;
  if (!Array.isArray(messages)) return null;
  const err = messages.map(obj).find((m) => m.severity === "error") ?? obj(messages[0]);
  return text(err.string);
}

/** Why SMART is unavailable for a drive the scan found asleep; a job wakes it (stages/smart-wake.ts). */
export const STANDBY_REASON = "drive is in standby (not woken by the scan)";

/** Decides whether SMART is available from smartctl's exit code and JSON (null when not JSON). */
export function smartStatus(rc: number, raw: unknown | null): DriveSmart {
  if (rc === 124 || rc === 137) return { available: false, reason: "smartctl timed out" };
  if (raw === null) return { available: false, reason: `smartctl gave no JSON (exit ${rc})` };
  if (rc & 0b11) {
    const msg = firstError(raw);
    const standby = msg !== null && /standby/i.test(msg);
    const reason = standby ? STANDBY_REASON : msg ?? `smartctl exit ${rc}`;
    return { available: false, reason, raw };
  }
  const support = obj(obj(raw).smart_support);
  if (support.available === false) return { available: false, reason: "SMART not supported by the device", raw };
  return { available: true, raw };
}
