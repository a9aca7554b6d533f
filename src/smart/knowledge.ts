// What Kiln knows about SMART counters, as data: which ones are watched across a burn-in, which
// direction is bad, and how bad. compare.ts and assess.ts only read this table.
import type { NvmeHealth, ScsiCounters, SmartProtocol, SmartSnapshot } from "./model.js";

/** fail: the drive goes back; warn: worth a look, not a drive failure; info: shown, never decides. */
export type Severity = "fail" | "warn" | "info";

export type Source =
  | { from: "ata"; id: number }
  | { from: "nvme"; field: keyof NvmeHealth }
  | { from: "scsi"; field: keyof ScsiCounters };

export interface WatchedCounter {
  key: string;
  protocol: SmartProtocol;
  name: string;
  source: Source;
  /** increase / decrease: the numeric direction that is bad; newBits: a bit set after that was clear before. */
  bad: "increase" | "decrease" | "newBits";
  severity: Severity;
  /** Said to the operator when this counter moves the bad way. */
  note?: string;
}

const CABLE_NOTE =
  "CRC errors come from the link between drive and controller: check or replace the SATA cable and connector; this is not a drive failure";

export const WATCHED: readonly WatchedCounter[] = [
  { key: "ata.5", protocol: "ATA", name: "Reallocated_Sector_Ct", source: { from: "ata", id: 5 }, bad: "increase", severity: "fail" },
  { key: "ata.187", protocol: "ATA", name: "Reported_Uncorrect", source: { from: "ata", id: 187 }, bad: "increase", severity: "fail" },
  { key: "ata.197", protocol: "ATA", name: "Current_Pending_Sector", source: { from: "ata", id: 197 }, bad: "increase", severity: "fail" },
  { key: "ata.198", protocol: "ATA", name: "Offline_Uncorrectable", source: { from: "ata", id: 198 }, bad: "increase", severity: "fail" },
  { key: "ata.199", protocol: "ATA", name: "UDMA_CRC_Error_Count", source: { from: "ata", id: 199 }, bad: "increase", severity: "warn", note: CABLE_NOTE },
  { key: "ata.196", protocol: "ATA", name: "Reallocated_Event_Count", source: { from: "ata", id: 196 }, bad: "increase", severity: "info" },
  { key: "ata.10", protocol: "ATA", name: "Spin_Retry_Count", source: { from: "ata", id: 10 }, bad: "increase", severity: "info" },
  { key: "ata.188", protocol: "ATA", name: "Command_Timeout", source: { from: "ata", id: 188 }, bad: "increase", severity: "info" },
  { key: "nvme.media_errors", protocol: "NVMe", name: "Media and data integrity errors", source: { from: "nvme", field: "mediaErrors" }, bad: "increase", severity: "fail" },
  { key: "nvme.critical_warning", protocol: "NVMe", name: "Critical warning", source: { from: "nvme", field: "criticalWarning" }, bad: "newBits", severity: "fail" },
  { key: "nvme.available_spare", protocol: "NVMe", name: "Available spare (%)", source: { from: "nvme", field: "availableSpare" }, bad: "decrease", severity: "info" },
  { key: "nvme.percentage_used", protocol: "NVMe", name: "Percentage used", source: { from: "nvme", field: "percentageUsed" }, bad: "increase", severity: "info" },
  { key: "nvme.error_log_entries", protocol: "NVMe", name: "Error information log entries", source: { from: "nvme", field: "errorLogEntries" }, bad: "increase", severity: "info" },
  { key: "scsi.grown_defects", protocol: "SCSI", name: "Grown defect list", source: { from: "scsi", field: "grownDefects" }, bad: "increase", severity: "fail" },
  { key: "scsi.uncorrected_read", protocol: "SCSI", name: "Uncorrected read errors", source: { from: "scsi", field: "uncorrectedRead" }, bad: "increase", severity: "fail" },
  { key: "scsi.uncorrected_write", protocol: "SCSI", name: "Uncorrected write errors", source: { from: "scsi", field: "uncorrectedWrite" }, bad: "increase", severity: "fail" },
  { key: "scsi.uncorrected_verify", protocol: "SCSI", name: "Uncorrected verify errors", source: { from: "scsi", field: "uncorrectedVerify" }, bad: "increase", severity: "fail" },
];

/** A watched counter's value in a snapshot, or null when the drive does not report it. */
export function readCounter(s: SmartSnapshot, source: Source): number | null {
  switch (source.from) {
    case "ata":
      return s.attributes.find((a) => a.id === source.id)?.raw ?? null;
    case "nvme":
      return s.nvme?.[source.field] ?? null;
    case "scsi":
      return s.scsi?.[source.field] ?? null;
  }
}

/** Whether going from `before` to `after` is the bad direction for this counter. */
export function movedBadly(w: WatchedCounter, before: number, after: number): boolean {
  switch (w.bad) {
    case "increase":
      return after > before;
    case "decrease":
      return after < before;
    case "newBits":
      return (after & ~before) !== 0;
  }
}

/** "Current_Pending_Sector (197)" or "Grown defect list". */
export function counterLabel(w: WatchedCounter): string {
  return w.source.from === "ata" ? `${w.name} (${w.source.id})` : w.name;
}
