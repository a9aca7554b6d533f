// What Kiln knows about telling a new drive from a used or reset one, as data. new-drive.ts only
// reads these tables. Each row says where its number comes from; where it is Kiln's judgement and
// not a published figure, the row says so. A count at or below `newUpTo` is what a drive straight
// from the factory (its own test and burn-in) can show; above it, the drive has been used.

/** Where a counter is read from the raw `smartctl --json` output. */
export type UsageSource =
  | { from: "power_on_hours" }
  | { from: "ata"; id: number; name?: string }
  | { from: "nvme"; field: "power_cycles" | "data_units_written" | "percentage_used" | "unsafe_shutdowns" }
  | { from: "scsi"; field: "accumulated_start_stop_cycles" | "accumulated_load_unload_cycles" }
  | { from: "ata_error_log" }
  | { from: "farm"; field: "poh" | "power_cycle_count" | "head_load_events" };

export interface UsageSign {
  key: string;
  /** How the evidence reads: "2,435 power-on hours". */
  label: string;
  source: UsageSource;
  /** The most a new drive shows; more is evidence of use. */
  newUpTo: number;
  /** Multiplies the raw value into the unit of `label` and `newUpTo` (e.g. NVMe data units → GB). */
  scale?: number;
}

export const USAGE_SIGNS: readonly UsageSign[] = [
  // Power-on hours. Factory test and burn-in leave 0 to a few dozen hours: the newest capture in
  // ../shared/fixtures (an HGST HC310 with 1 power cycle) shows 291 h after its first deployment,
  // and sellers' "new" listings in the 2025 Seagate reports showed 0 h. Kiln's judgement: up to
  // 48 h (two days) is a new drive; a week of running (168 h) is plainly not.
  { key: "poh", label: "power-on hours", source: { from: "power_on_hours" }, newUpTo: 48 },
  // Power cycles (ATA 12, NVMe power_cycles). A factory powers a drive up a handful of times
  // (test stations, packing check); Kiln's judgement: more than 20 means someone else's machine.
  { key: "ata.12", label: "power cycles", source: { from: "ata", id: 12 }, newUpTo: 20 },
  { key: "nvme.power_cycles", label: "power cycles", source: { from: "nvme", field: "power_cycles" }, newUpTo: 20 },
  // Start/stop count (ATA 4): spin-ups, about one per power cycle on a new drive; same bound.
  { key: "ata.4", label: "spin-ups (start/stop count)", source: { from: "ata", id: 4 }, newUpTo: 20 },
  { key: "scsi.start_stop", label: "start/stop cycles", source: { from: "scsi", field: "accumulated_start_stop_cycles" }, newUpTo: 20 },
  // Head load/unload (ATA 193). Drives with aggressive head parking (WD Green/Red idle timer of
  // 8 s) add hundreds a day in use; the newest capture in the fixtures has 13. Kiln's judgement: 100.
  { key: "ata.193", label: "head load/unload cycles", source: { from: "ata", id: 193 }, newUpTo: 100 },
  { key: "scsi.load_unload", label: "head load/unload cycles", source: { from: "scsi", field: "accumulated_load_unload_cycles" }, newUpTo: 100 },
  // Data written. NVMe data units are 1000 × 512 bytes (NVMe base spec, SMART / Health log);
  // factory formatting and firmware writes stay in the low GB. Kiln's judgement: 100 GB.
  { key: "nvme.written", label: "GB written", source: { from: "nvme", field: "data_units_written" }, newUpTo: 100, scale: 512_000 / 1e9 },
  // ATA 241 only where smartctl names it Total_LBAs_Written (some SSDs count 32 MiB units under
  // another name); 512-byte LBAs. Same 100 GB bound as NVMe.
  { key: "ata.241", label: "GB written", source: { from: "ata", id: 241, name: "Total_LBAs_Written" }, newUpTo: 100, scale: 512 / 1e9 },
  // NVMe percentage used: the drive's own estimate of endurance consumed; a new drive reports 0.
  { key: "nvme.percentage_used", label: "% of rated endurance used", source: { from: "nvme", field: "percentage_used" }, newUpTo: 0 },
  // ATA SMART error log: a new drive has logged no errors; any entry is from someone's use.
  { key: "ata.error_log", label: "errors in the drive's error log", source: { from: "ata_error_log" }, newUpTo: 0 },
  // Seagate FARM, page 1: the drive's own power-on hours and cycles, kept apart from SMART (which
  // is what resellers reset). Same bounds as the SMART counters above.
  { key: "farm.poh", label: "power-on hours in FARM", source: { from: "farm", field: "poh" }, newUpTo: 48 },
  { key: "farm.power_cycles", label: "power cycles in FARM", source: { from: "farm", field: "power_cycle_count" }, newUpTo: 20 },
];

/** Contradictions: evidence that the drive's counters were reset or edited. */
export const TAMPER_RULES = {
  // FARM hours above the SMART power-on hours by more than this: SMART was reset. On an untouched
  // drive they count the same clock: the FARM capture's poh 9,439 and spindle hours 9,437 differ by
  // 2 h, and SMART and FARM are read a moment apart. The 2025 reset drives showed FARM ahead by
  // 15,000–50,000 h. Kiln's judgement: more than 48 h and more than 5 % of FARM's hours.
  farmAheadHours: 48,
  farmAheadFraction: 0.05,
  // A self-test log entry's lifetime hours above the current power-on hours by more than this:
  // the drive ran a test at an hour it claims it has not lived. Both come from the same counter;
  // 1 h allows for the reading of the two a moment apart across an hour boundary. (ATA log hours
  // are 16-bit and wrap at 65,536, which only ever makes an entry look older, never newer.)
  selfTestAheadHours: 1,
} as const;

/** The policy per batch: what a used or tampered verdict does to the job. */
export type NewDrivePolicy = "warn" | "fail";
export const DEFAULT_POLICY = { usedDrive: "warn", tamperedDrive: "fail" } as const satisfies Record<string, NewDrivePolicy>;
