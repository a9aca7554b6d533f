// Seagate's FARM log (Field Accessible Reliability Metrics), as `smartctl -l farm --json` prints it
// (smartmontools 7.4+): whether to ask for it, and the few page-1 counters Kiln reads. Pure.

export interface FarmFacts {
  powerOnHours: number | null;
  powerCycles: number | null;
  headLoadEvents: number | null;
  serial: string | null;
}

/** What became of reading FARM: its facts, or why there are none (shown as "not available: …"). */
export type FarmReading = { available: true; facts: FarmFacts } | { available: false; reason: string };

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** smartctl's version from its JSON, [major, minor]; null when it does not say. */
function smartctlVersion(raw: unknown): [number, number] | null {
  const v = isObject(raw) && isObject(raw.smartctl) ? raw.smartctl.version : null;
  return Array.isArray(v) && typeof v[0] === "number" ? [v[0], typeof v[1] === "number" ? v[1] : 0] : null;
}

/** A Seagate drive: the model family or vendor says so, or an ATA model number of Seagate's form (ST…). */
function isSeagate(raw: unknown): boolean {
  if (!isObject(raw)) return false;
  const text = [raw.model_family, raw.scsi_vendor, raw.vendor].filter((s) => typeof s === "string").join(" ");
  if (/seagate/i.test(text)) return true;
  const model = typeof raw.model_name === "string" ? raw.model_name.trim() : typeof raw.scsi_product === "string" ? raw.scsi_product.trim() : "";
  return /^ST\d/.test(model);
}

/**
 * Whether to ask this drive for FARM, from its `smartctl -a --json` reading: null when yes, else
 * why not. smartctl learnt `-l farm` in 7.4; only Seagate hard disks keep the log.
 */
export function farmNotApplicable(raw: unknown): string | null {
  if (!isSeagate(raw)) return "not a Seagate drive (FARM is a Seagate log)";
  const v = smartctlVersion(raw);
  if (v && (v[0] < 7 || (v[0] === 7 && v[1] < 4))) return `smartctl ${v[0]}.${v[1]} on the host cannot read FARM (7.4 or newer can)`;
  return null;
}

/** Reads `smartctl -l farm --json` output (parsed JSON or text). Total: never throws. */
export function parseFarm(input: unknown): FarmReading {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch {
      return { available: false, reason: "smartctl printed no JSON for -l farm" };
    }
  }
  if (!isObject(value)) return { available: false, reason: "smartctl printed no JSON for -l farm" };
  const log = value.seagate_farm_log;
  const page = isObject(log) ? log.page_1_drive_information : undefined;
  if (!isObject(page)) {
    const messages = isObject(value.smartctl) && Array.isArray(value.smartctl.messages) ? value.smartctl.messages : [];
    const said = messages.map((m) => (isObject(m) && typeof m.string === "string" ? m.string : "")).filter(Boolean).join(" ");
    return { available: false, reason: said ? `the drive gave no FARM log (${said})` : "the drive gave no FARM log" };
  }
  const facts: FarmFacts = {
    powerOnHours: num(page.poh),
    powerCycles: num(page.power_cycle_count),
    headLoadEvents: num(page.head_load_events),
    serial: typeof page.serial_number === "string" ? page.serial_number.trim() || null : null,
  };
  if (facts.powerOnHours === null) return { available: false, reason: "the FARM log holds no power-on hours" };
  return { available: true, facts };
}
