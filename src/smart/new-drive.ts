// "Is this new drive new?": the verdict precheck gives from the drive's own counters (raw
// `smartctl -a --json`) and, on Seagate drives, its FARM log. Pure and total: any input gives a
// verdict with a reason, never a throw. The numbers live in new-drive-knowledge.ts.
//   new       no counter beyond what a factory leaves
//   used      counters show use (the evidence lists each, with its number)
//   tampered  counters contradict each other (FARM far ahead of SMART, a self-test from the future)
//   unknown   SMART could not be read: nothing to judge by
import type { FarmReading } from "./farm.js";
import { TAMPER_RULES, USAGE_SIGNS, type UsageSign } from "./new-drive-knowledge.js";

export type NewDriveStatus = "new" | "used" | "tampered" | "unknown";

export interface Evidence {
  key: string;
  value: number;
  /** "2,435 power-on hours". */
  text: string;
}

export interface NewDriveVerdict {
  status: NewDriveStatus;
  /** One line for the operator: the status and its reasons, and why FARM was not read. */
  text: string;
  /** The reasons alone, for tables: "2,435 power-on hours, 38 power cycles". */
  summary: string;
  /** Signs of use, with numbers. */
  evidence: Evidence[];
  /** Contradictions that make the drive `tampered`. */
  contradictions: string[];
  /** FARM's power-on hours, or why FARM was not read. */
  farm: { available: true; powerOnHours: number | null; powerCycles: number | null } | { available: false; reason: string };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: n < 10 ? 1 : 0 });
const obj = (v: unknown): Json => (isObject(v) ? v : {});

function ataAttribute(raw: Json, id: number, name?: string): number | null {
  const table = obj(raw.ata_smart_attributes).table;
  if (!Array.isArray(table)) return null;
  const a = table.find((x) => isObject(x) && x.id === id) as Json | undefined;
  if (!a || (name !== undefined && a.name !== name)) return null;
  return num(obj(a.raw).value);
}

function readSign(raw: Json, farm: FarmReading, s: UsageSign): number | null {
  const src = s.source;
  switch (src.from) {
    case "power_on_hours":
      return num(obj(raw.power_on_time).hours);
    case "ata":
      return ataAttribute(raw, src.id, src.name);
    case "nvme":
      return num(obj(raw.nvme_smart_health_information_log)[src.field]);
    case "scsi":
      return num(obj(raw.scsi_start_stop_cycle_counter)[src.field]);
    case "ata_error_log": {
      const log = obj(raw.ata_smart_error_log);
      return num(obj(log.extended).count) ?? num(obj(log.summary).count);
    }
    case "farm": {
      if (!farm.available) return null;
      const f = farm.facts;
      return src.field === "poh" ? f.powerOnHours : src.field === "power_cycle_count" ? f.powerCycles : f.headLoadEvents;
    }
  }
}

/** Self-test log entries' power-on hours, ATA, NVMe and SCSI alike. */
function selfTestHours(raw: Json): number[] {
  const out: unknown[] = [];
  const ata = obj(obj(raw.ata_smart_self_test_log).standard).table;
  if (Array.isArray(ata)) out.push(...ata.map((e) => obj(e).lifetime_hours));
  const nvme = obj(raw.nvme_self_test_log).table;
  if (Array.isArray(nvme)) out.push(...nvme.map((e) => obj(e).power_on_hours));
  for (let i = 0; i < 20; i++) out.push(obj(obj(raw[`scsi_self_test_${i}`]).power_on_time).hours);
  return out.map(num).filter((h): h is number => h !== null);
}

function contradictions(raw: Json, farm: FarmReading): string[] {
  const out: string[] = [];
  const poh = num(obj(raw.power_on_time).hours);
  if (poh === null) return out;
  if (farm.available && farm.facts.powerOnHours !== null) {
    const ahead = farm.facts.powerOnHours - poh;
    if (ahead > TAMPER_RULES.farmAheadHours && ahead > TAMPER_RULES.farmAheadFraction * farm.facts.powerOnHours) {
      out.push(`FARM says ${fmt(farm.facts.powerOnHours)} power-on hours but SMART says ${fmt(poh)}: the SMART hours were reset`);
    }
  }
  const future = selfTestHours(raw).filter((h) => h > poh + TAMPER_RULES.selfTestAheadHours);
  if (future.length > 0) {
    const max = Math.max(...future);
    out.push(`the self-test log has ${future.length === 1 ? "an entry" : `${future.length} entries`} from hour ${fmt(max)}, but the drive says it has run ${fmt(poh)} hours`);
  }
  return out;
}

function farmSummary(farm: FarmReading): NewDriveVerdict["farm"] {
  return farm.available
    ? { available: true, powerOnHours: farm.facts.powerOnHours, powerCycles: farm.facts.powerCycles }
    : { available: false, reason: farm.reason };
}

/**
 * The verdict from a drive's `smartctl -a --json` output (null when SMART was not readable) and
 * its FARM reading. `smartUnreadable` says why SMART could not be read.
 */
export function newDriveVerdict(raw: unknown, farm: FarmReading, smartUnreadable?: string): NewDriveVerdict {
  const r: Json = isObject(raw) ? raw : {};
  const evidence: Evidence[] = [];
  const seen = new Set<string>();
  for (const s of USAGE_SIGNS) {
    const v = readSign(r, farm, s);
    if (v === null) continue;
    const value = Math.round(v * (s.scale ?? 1) * 10) / 10;
    // Two sources of one fact (ATA 12 and NVMe cycles) never both apply; one label is said once.
    if (value > s.newUpTo && !seen.has(s.label)) {
      seen.add(s.label);
      evidence.push({ key: s.key, value, text: `${fmt(value)} ${s.label}` });
    }
  }
  const contra = contradictions(r, farm);
  const farmPart = farm.available ? "" : `; FARM not available: ${farm.reason}`;
  const verdict = (status: NewDriveStatus, word: string, summary: string, contradictions: string[] = []): NewDriveVerdict => ({
    status, text: `${word}: ${summary}${status === "tampered" ? "" : farmPart}`, summary, evidence, contradictions, farm: farmSummary(farm),
  });
  if (contra.length > 0) return verdict("tampered", "tampered", contra.join("; "), contra);
  if (evidence.length > 0) return verdict("used", "used", evidence.map((e) => e.text).join(", "));
  const hasCounters = num(obj(r.power_on_time).hours) !== null || (farm.available && farm.facts.powerOnHours !== null);
  if (!hasCounters) return verdict("unknown", "cannot tell", smartUnreadable ?? "the drive reports no power-on hours");
  const hours = num(obj(r.power_on_time).hours) ?? (farm.available ? farm.facts.powerOnHours : null);
  return verdict("new", "new", `${fmt(hours ?? 0)} power-on hours, no sign of use`);
}
