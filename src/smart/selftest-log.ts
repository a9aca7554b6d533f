// Self-test status and log, from the three shapes smartctl prints them in (ATA status byte, NVMe
// self-test log page, SCSI numbered log entries), into one list of SelfTestEntry, newest first.
import type { RawSmartctl, RawScsiSelfTestEntry } from "./raw.js";
import type { SelfTestEntry, SelfTestKind, SelfTestResult, SelfTestStatus } from "./model.js";

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);

/** ATA self-test status byte, upper nibble (ATA8-ACS "Self-test execution status"). */
const ATA_STATUS_RESULT: Record<number, SelfTestResult> = {
  0: "passed", 1: "aborted", 2: "interrupted", 3: "failed", 4: "failed", 5: "failed", 6: "failed", 7: "failed", 8: "failed", 15: "in_progress",
};
/** ATA self-test log "type" byte, without the captive-mode bit 7. */
const ATA_KIND: Record<number, SelfTestKind> = { 0: "offline", 1: "short", 2: "extended", 3: "conveyance", 4: "selective" };
/** NVMe self-test result code (NVMe base spec, Self-test Result Data Structure). 15 = unused entry. */
const NVME_RESULT: Record<number, SelfTestResult> = {
  0: "passed", 1: "aborted", 2: "interrupted", 3: "interrupted", 4: "interrupted", 5: "failed", 6: "failed", 7: "failed", 8: "aborted", 9: "interrupted",
};
const NVME_KIND: Record<number, SelfTestKind> = { 1: "short", 2: "extended" };
/** SCSI self-test results log page, self-test results field. */
const SCSI_RESULT: Record<number, SelfTestResult> = {
  0: "passed", 1: "aborted", 2: "interrupted", 3: "failed", 4: "failed", 5: "failed", 6: "failed", 7: "failed", 15: "in_progress",
};
const SCSI_KIND: Record<number, SelfTestKind> = { 1: "short", 2: "extended", 5: "short", 6: "extended" };

function textOf(type: string | null, status: string | null): string {
  return [type, status].filter(Boolean).join(": ") || "self-test";
}

function ataLog(raw: RawSmartctl): SelfTestEntry[] {
  return (raw.ata_smart_self_test_log?.standard?.table ?? []).map((e) => {
    const type = num(e.type?.value);
    const status = num(e.status?.value);
    return {
      kind: type === null ? "other" : ATA_KIND[type & 0x7f] ?? "other",
      result: status === null ? (e.status?.passed === true ? "passed" : "unknown") : ATA_STATUS_RESULT[status >> 4] ?? "unknown",
      text: textOf(str(e.type?.string), str(e.status?.string)),
      hours: num(e.lifetime_hours),
    };
  });
}

function nvmeLog(raw: RawSmartctl): SelfTestEntry[] {
  const out: SelfTestEntry[] = [];
  for (const e of raw.nvme_self_test_log?.table ?? []) {
    const result = num(e.self_test_result?.value);
    if (result === 15) continue; // an unused entry
    const code = num(e.self_test_code?.value);
    out.push({
      kind: code === null ? "other" : NVME_KIND[code] ?? "other",
      result: result === null ? "unknown" : NVME_RESULT[result] ?? "unknown",
      text: textOf(str(e.self_test_code?.string), str(e.self_test_result?.string)),
      hours: num(e.power_on_hours),
    });
  }
  return out;
}

function scsiLog(raw: RawSmartctl): SelfTestEntry[] {
  const out: SelfTestEntry[] = [];
  for (let i = 0; i < 20; i++) {
    const e = raw[`scsi_self_test_${i}`] as RawScsiSelfTestEntry | undefined;
    if (!e || typeof e !== "object") continue;
    const code = num(e.code?.value);
    const result = num(e.result?.value);
    out.push({
      kind: code === null ? kindFromText(str(e.code?.string)) : SCSI_KIND[code] ?? "other",
      result: result === null ? resultFromText(str(e.result?.string)) : SCSI_RESULT[result] ?? "unknown",
      text: textOf(str(e.code?.string), str(e.result?.string)),
      hours: num(e.power_on_time?.hours),
    });
  }
  return out;
}

function kindFromText(t: string | null): SelfTestKind {
  if (!t) return "other";
  if (/short/i.test(t)) return "short";
  return /long|extended/i.test(t) ? "extended" : "other";
}

function resultFromText(t: string | null): SelfTestResult {
  if (!t) return "unknown";
  if (/in progress/i.test(t)) return "in_progress";
  if (/fail/i.test(t)) return "failed";
  if (/abort/i.test(t)) return "aborted";
  return /^completed$/i.test(t) ? "passed" : "unknown";
}

export function selfTestLogOf(raw: RawSmartctl, protocol: string): SelfTestEntry[] {
  if (protocol === "ATA") return ataLog(raw);
  if (protocol === "NVMe") return nvmeLog(raw);
  return scsiLog(raw);
}

/** smartctl learnt NVMe self-tests in 7.4; older versions print no nvme_self_test_log. */
function support(raw: RawSmartctl, protocol: string): Pick<SelfTestStatus, "supported" | "unsupportedReason"> {
  if (protocol === "ATA") {
    const v = raw.ata_smart_data?.capabilities?.self_tests_supported;
    return v === false ? { supported: false, unsupportedReason: "the drive does not support SMART self-tests" } : { supported: v ?? null, unsupportedReason: null };
  }
  if (protocol === "NVMe") {
    if (raw.nvme_self_test_log !== undefined) return { supported: true, unsupportedReason: null };
    const [major = 0, minor = 0] = Array.isArray(raw.smartctl?.version) ? raw.smartctl!.version : [];
    const old = major > 0 && (major < 7 || (major === 7 && minor < 4));
    return old
      ? { supported: false, unsupportedReason: `smartctl ${major}.${minor} on the host cannot run NVMe self-tests (7.4 or newer can)` }
      : { supported: null, unsupportedReason: null };
  }
  return { supported: null, unsupportedReason: null };
}

export function selfTestStatusOf(raw: RawSmartctl, protocol: string, log: SelfTestEntry[]): SelfTestStatus {
  const sup = support(raw, protocol);
  const polling = raw.ata_smart_data?.self_test?.polling_minutes;
  const scsiExtended = num(raw.scsi_extended_self_test_seconds);
  const pollingMinutes = {
    short: num(polling?.short),
    extended: num(polling?.extended) ?? (scsiExtended === null ? null : Math.ceil(scsiExtended / 60)),
  };
  if (protocol === "ATA") {
    const st = raw.ata_smart_data?.self_test?.status;
    const value = num(st?.value);
    const inProgress = value !== null && value >> 4 === 15;
    const remaining = inProgress ? num(st?.remaining_percent) ?? (value! & 0x0f) * 10 : null;
    return { ...sup, inProgress, remainingPercent: remaining, text: str(st?.string), pollingMinutes };
  }
  if (protocol === "NVMe") {
    const op = raw.nvme_self_test_log?.current_self_test_operation;
    const inProgress = (num(op?.value) ?? 0) > 0;
    const done = num(raw.nvme_self_test_log?.current_self_test_completion_percent);
    return { ...sup, inProgress, remainingPercent: inProgress && done !== null ? 100 - done : null, text: str(op?.string), pollingMinutes };
  }
  const inProgress = Boolean(raw.self_test_in_progress) || log[0]?.result === "in_progress";
  return { ...sup, inProgress, remainingPercent: null, text: log[0]?.text ?? null, pollingMinutes };
}
