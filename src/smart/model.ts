// Kiln's own view of one SMART reading, the same for ATA, NVMe and SCSI/SAS drives. Built from raw
// smartctl JSON by parse.ts; stored as the "before"/"after" snapshots and compared by compare.ts.
import type { ExitStatus } from "./exit-status.js";

export type SmartProtocol = "ATA" | "NVMe" | "SCSI";

export interface SmartIdentityFacts {
  model: string | null;
  serial: string | null;
  wwn: string | null;
  firmware: string | null;
  capacityBytes: number | null;
  /** RPM for spinning disks, 0 for solid state, null when the drive does not say. */
  rotationRate: number | null;
}

export interface AtaAttribute {
  id: number;
  name: string;
  value: number | null;
  worst: number | null;
  thresh: number | null;
  /** The raw value as a number (smartctl's raw.value), the figure compared before and after. */
  raw: number | null;
  rawText: string | null;
  /** smartctl's when_failed: "" , "past" or "now". */
  whenFailed: string | null;
}

export interface NvmeHealth {
  criticalWarning: number | null;
  mediaErrors: number | null;
  percentageUsed: number | null;
  availableSpare: number | null;
  availableSpareThreshold: number | null;
  errorLogEntries: number | null;
}

export interface ScsiCounters {
  grownDefects: number | null;
  uncorrectedRead: number | null;
  uncorrectedWrite: number | null;
  uncorrectedVerify: number | null;
}

export type SelfTestKind = "short" | "extended" | "conveyance" | "selective" | "offline" | "other";
export type SelfTestResult = "passed" | "failed" | "aborted" | "interrupted" | "in_progress" | "unknown";

export interface SelfTestEntry {
  kind: SelfTestKind;
  result: SelfTestResult;
  /** smartctl's wording of type and result, for the operator. */
  text: string;
  /** Power-on hours when the test ran, when the log says. */
  hours: number | null;
}

export interface SelfTestStatus {
  /** Whether the drive (and this smartctl) can run self-tests; null when the output does not say. */
  supported: boolean | null;
  /** Why not, when `supported` is false. */
  unsupportedReason: string | null;
  inProgress: boolean;
  /** Percent of the running test still to do; null when not running or not reported. */
  remainingPercent: number | null;
  /** The drive's current self-test status line ("completed without error", "in progress, 10% remaining"). */
  text: string | null;
  /** Drive-recommended polling minutes (ATA); seconds for SCSI's extended test converted to minutes. */
  pollingMinutes: { short: number | null; extended: number | null };
}

export interface SmartSnapshot {
  protocol: SmartProtocol;
  /** smartctl's device type (sat, nvme, scsi, usbjmicron, …). */
  deviceType: string | null;
  smartctlVersion: string | null;
  identity: SmartIdentityFacts;
  temperatureC: number | null;
  /** The drive's overall SMART health self-assessment; null when not reported. */
  healthPassed: boolean | null;
  exit: ExitStatus;
  powerOnHours: number | null;
  attributes: AtaAttribute[];
  nvme: NvmeHealth | null;
  scsi: ScsiCounters | null;
  selfTest: SelfTestStatus;
  /** Newest first. */
  selfTestLog: SelfTestEntry[];
  /** smartctl's warning and error messages. */
  messages: string[];
}

export type ParseResult =
  | { ok: true; snapshot: SmartSnapshot }
  | { ok: false; reason: string; exit: ExitStatus | null };
