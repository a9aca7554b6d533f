// `smartctl --json` output → one SmartSnapshot for ATA, NVMe and SCSI/SAS, or a clear reason why
// not. Pure and total: any input gives a result, never a throw.
import { decodeExitStatus, type ExitStatus } from "./exit-status.js";
import type { RawSmartctl } from "./raw.js";
import type { AtaAttribute, ParseResult, SmartIdentityFacts, SmartProtocol, SmartSnapshot } from "./model.js";
import { selfTestLogOf, selfTestStatusOf } from "./selftest-log.js";

const PROTOCOLS: readonly SmartProtocol[] = ["ATA", "NVMe", "SCSI"];
/** Any of these keys means smartctl read some SMART data, not just the identity. */
const SMART_DATA_KEYS = [
  "smart_status", "ata_smart_attributes", "ata_smart_data", "ata_smart_self_test_log",
  "nvme_smart_health_information_log", "nvme_self_test_log", "scsi_grown_defect_list", "scsi_error_counter_log",
  "scsi_self_test_0", "self_test_in_progress",
] as const;

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function messagesOf(raw: RawSmartctl): string[] {
  const list = Array.isArray(raw.smartctl?.messages) ? raw.smartctl!.messages : [];
  return list.map((m) => (isObject(m) ? str(m.string) : null)).filter((s): s is string => s !== null);
}

function firstError(raw: RawSmartctl): string | null {
  const list = Array.isArray(raw.smartctl?.messages) ? raw.smartctl!.messages : [];
  const err = list.find((m) => isObject(m) && m.severity === "error") ?? list[0];
  return isObject(err) ? str(err.string) : null;
}

/** WWN as lsblk prints it: "0x" + NAA (1 hex digit) + OUI (6) + ID (9). */
function wwnOf(w: RawSmartctl["wwn"]): string | null {
  const naa = num(w?.naa), oui = num(w?.oui), id = num(w?.id);
  if (naa === null || oui === null || id === null) return null;
  return `0x${naa.toString(16)}${oui.toString(16).padStart(6, "0")}${id.toString(16).padStart(9, "0")}`;
}

function identityOf(raw: RawSmartctl): SmartIdentityFacts {
  const vendorProduct = [str(raw.scsi_vendor) ?? str(raw.vendor), str(raw.scsi_product) ?? str(raw.product)].filter(Boolean).join(" ");
  return {
    model: str(raw.model_name) ?? str(raw.scsi_model_name) ?? (vendorProduct || null),
    serial: str(raw.serial_number),
    wwn: wwnOf(raw.wwn),
    firmware: str(raw.firmware_version) ?? str(raw.scsi_revision) ?? str(raw.revision),
    capacityBytes: num(raw.user_capacity?.bytes) ?? num(raw.nvme_total_capacity),
    rotationRate: num(raw.rotation_rate),
  };
}

function attributesOf(raw: RawSmartctl): AtaAttribute[] {
  const table = Array.isArray(raw.ata_smart_attributes?.table) ? raw.ata_smart_attributes!.table : [];
  const out: AtaAttribute[] = [];
  for (const a of table) {
    const id = num(a?.id);
    if (!a || typeof a !== "object" || id === null) continue;
    out.push({
      id,
      name: str(a.name) ?? `Attribute_${a.id}`,
      value: num(a.value),
      worst: num(a.worst),
      thresh: num(a.thresh),
      raw: num(a.raw?.value),
      rawText: str(a.raw?.string),
      whenFailed: typeof a.when_failed === "string" ? a.when_failed : null,
    });
  }
  return out;
}

/** Temperature: the summary field, else NVMe's log, else the low byte of ATA attribute 194 or 190. */
function temperatureOf(raw: RawSmartctl, attributes: AtaAttribute[]): number | null {
  const direct = num(raw.temperature?.current) ?? num(raw.nvme_smart_health_information_log?.temperature);
  if (direct !== null) return direct;
  const attr = attributes.find((a) => a.id === 194) ?? attributes.find((a) => a.id === 190);
  return attr?.raw != null ? attr.raw % 256 : null;
}

function snapshotOf(raw: RawSmartctl, protocol: SmartProtocol, exit: ExitStatus): SmartSnapshot {
  const attributes = attributesOf(raw);
  const log = selfTestLogOf(raw, protocol);
  const nvmeLog = raw.nvme_smart_health_information_log;
  const scsiErrors = raw.scsi_error_counter_log;
  const hasScsi = raw.scsi_grown_defect_list !== undefined || scsiErrors !== undefined;
  const version = Array.isArray(raw.smartctl?.version) ? raw.smartctl!.version.join(".") : null;
  return {
    protocol,
    deviceType: str(raw.device?.type),
    smartctlVersion: version,
    identity: identityOf(raw),
    temperatureC: temperatureOf(raw, attributes),
    healthPassed: typeof raw.smart_status?.passed === "boolean" ? raw.smart_status.passed : null,
    exit,
    powerOnHours: num(raw.power_on_time?.hours),
    attributes,
    nvme: isObject(nvmeLog)
      ? {
          criticalWarning: num(nvmeLog.critical_warning),
          mediaErrors: num(nvmeLog.media_errors),
          percentageUsed: num(nvmeLog.percentage_used),
          availableSpare: num(nvmeLog.available_spare),
          availableSpareThreshold: num(nvmeLog.available_spare_threshold),
          errorLogEntries: num(nvmeLog.num_err_log_entries),
        }
      : null,
    scsi: hasScsi
      ? {
          grownDefects: num(raw.scsi_grown_defect_list),
          uncorrectedRead: num(scsiErrors?.read?.total_uncorrected_errors),
          uncorrectedWrite: num(scsiErrors?.write?.total_uncorrected_errors),
          uncorrectedVerify: num(scsiErrors?.verify?.total_uncorrected_errors),
        }
      : null,
    selfTest: selfTestStatusOf(raw, protocol, log),
    selfTestLog: log,
    messages: messagesOf(raw),
  };
}

/**
 * Parses smartctl's JSON (already parsed, or as text). `exitCode` is the process's status; when it
 * is not known the JSON's own smartctl.exit_status is used.
 */
export function parseSmartctl(input: unknown, exitCode: number | null = null): ParseResult {
  let value = input;
  if (typeof input === "string" || Buffer.isBuffer(input)) {
    try {
      value = JSON.parse(String(input));
    } catch {
      return { ok: false, reason: `smartctl gave no JSON${exitCode === null ? "" : ` (exit ${exitCode})`}`, exit: exitCode === null ? null : decodeExitStatus(exitCode) };
    }
  }
  if (!isObject(value)) return { ok: false, reason: "smartctl output is not a JSON object", exit: null };
  const raw = value as RawSmartctl;
  const exit = decodeExitStatus(exitCode ?? num(raw.smartctl?.exit_status) ?? 0);
  if (exit.unreadable) {
    return { ok: false, reason: firstError(raw) ?? `smartctl could not read the device (exit ${exit.code}: ${exit.texts.join("; ")})`, exit };
  }
  const protocol = str(raw.device?.protocol);
  if (protocol === null) return { ok: false, reason: firstError(raw) ?? "smartctl output names no device protocol", exit };
  if (!PROTOCOLS.includes(protocol as SmartProtocol)) return { ok: false, reason: `unsupported device protocol ${JSON.stringify(protocol)}`, exit };
  if (raw.smart_support?.available === false) return { ok: false, reason: "SMART is not supported by the device", exit };
  if (!SMART_DATA_KEYS.some((k) => (raw as Record<string, unknown>)[k] !== undefined)) {
    return { ok: false, reason: firstError(raw) ?? "smartctl read the identity but no SMART data", exit };
  }
  return { ok: true, snapshot: snapshotOf(raw, protocol as SmartProtocol, exit) };
}
