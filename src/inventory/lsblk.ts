// lsblk's JSON output (`lsblk -J -b -o …`) as it comes, and its normalised form.
// util-linux >= 2.37 prints typed values (numbers, booleans) and a MOUNTPOINTS array; 2.33-2.36
// print every value as a string ("1", "500107862016") and a single MOUNTPOINT. Both are accepted.

/** One device as lsblk prints it; any key may be missing or typed either way. */
export interface RawLsblkDevice {
  name?: unknown;
  kname?: unknown;
  "maj:min"?: unknown;
  path?: unknown;
  type?: unknown;
  size?: unknown;
  rota?: unknown;
  tran?: unknown;
  serial?: unknown;
  wwn?: unknown;
  model?: unknown;
  vendor?: unknown;
  rev?: unknown;
  mountpoints?: unknown;
  mountpoint?: unknown;
  fstype?: unknown;
  label?: unknown;
  pkname?: unknown;
  hotplug?: unknown;
  rm?: unknown;
  ro?: unknown;
  pttype?: unknown;
  children?: unknown;
}

export interface RawLsblkOutput {
  blockdevices?: RawLsblkDevice[];
}

export interface LsblkDevice {
  name: string;
  kname: string;
  majMin: string | null;
  type: string;
  sizeBytes: number;
  rotational: boolean;
  transport: string | null;
  serial: string | null;
  wwn: string | null;
  model: string | null;
  vendor: string | null;
  rev: string | null;
  mountpoints: string[];
  fstype: string | null;
  label: string | null;
  pttype: string | null;
  hotplug: boolean;
  removable: boolean;
  readOnly: boolean;
  children: LsblkDevice[];
}

/** Kernel device names Kiln will ever put in a path: no shell metacharacters, no spaces. */
export const SAFE_DEVICE_NAME = /^[A-Za-z0-9._:-]+$/;

/** lsblk (through udev) may print "\x20"-style escapes; decode them. */
function decodeHexEscapes(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function str(v: unknown): string | null {
  if (typeof v !== "string" && typeof v !== "number") return null;
  const s = decodeHexEscapes(String(v)).trim();
  return s === "" ? null : s;
}

function bool(v: unknown): boolean {
  return v === true || v === 1 || v === "1" || v === "true";
}

function num(v: unknown): number {
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v.trim()) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

function mountpointsOf(raw: RawLsblkDevice): string[] {
  const list = Array.isArray(raw.mountpoints) ? raw.mountpoints : [raw.mountpoint];
  const out: string[] = [];
  for (const m of list) {
    // Mount points are kept verbatim (no trimming): a path may end in a space.
    if (typeof m === "string" && m !== "" && !out.includes(m)) out.push(m);
  }
  return out;
}

function normalise(raw: RawLsblkDevice): LsblkDevice {
  const name = str(raw.name) ?? "";
  const children = Array.isArray(raw.children) ? (raw.children as RawLsblkDevice[]) : [];
  return {
    name,
    kname: str(raw.kname) ?? name,
    majMin: str(raw["maj:min"]),
    type: str(raw.type) ?? "",
    sizeBytes: num(raw.size),
    rotational: bool(raw.rota),
    transport: str(raw.tran),
    serial: str(raw.serial),
    wwn: str(raw.wwn),
    model: str(raw.model),
    vendor: str(raw.vendor),
    rev: str(raw.rev),
    mountpoints: mountpointsOf(raw),
    fstype: str(raw.fstype),
    label: str(raw.label),
    pttype: str(raw.pttype),
    hotplug: bool(raw.hotplug),
    removable: bool(raw.rm),
    readOnly: bool(raw.ro),
    children: children.filter((c) => c !== null && typeof c === "object").map(normalise),
  };
}

/** Parses lsblk's JSON text into top-level devices with nested children (partitions, holders). */
export function parseLsblkJson(text: string): LsblkDevice[] {
  const parsed = JSON.parse(text) as RawLsblkOutput;
  if (parsed === null || typeof parsed !== "object" || !Array.isArray(parsed.blockdevices)) {
    throw new Error("lsblk JSON has no blockdevices array");
  }
  return parsed.blockdevices.filter((d) => d !== null && typeof d === "object").map(normalise);
}

/** The device and every device below it (partitions, device-mapper and md holders). */
export function subtree(dev: LsblkDevice): LsblkDevice[] {
  return [dev, ...dev.children.flatMap(subtree)];
}
