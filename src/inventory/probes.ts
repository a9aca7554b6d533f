// Parsers for the small text outputs a scan collects: blkid, wipefs, zpool status, mountinfo,
// /proc/swaps, /dev/disk/by-id links and TrueNAS's disk.details. Pure; each tolerates junk lines.
import type { Signature } from "./types.js";

/** `blkid -p -o export DEV`: KEY=VALUE lines. */
export function parseBlkidExport(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** Signatures named by blkid's export output (TYPE with USAGE and LABEL; PTTYPE apart). */
export function blkidSignatures(values: Record<string, string>): Signature[] {
  const type = values.TYPE;
  return type ? [{ type, usage: values.USAGE ?? null, label: values.LABEL ?? null }] : [];
}

/** `wipefs -n -J DEV`: {"signatures":[{"type":"ext4",…}]}; empty text means no signature. */
export function parseWipefsJson(text: string): Signature[] {
  if (text.trim() === "") return [];
  const parsed = JSON.parse(text) as { signatures?: unknown };
  if (!Array.isArray(parsed.signatures)) return [];
  const out: Signature[] = [];
  for (const s of parsed.signatures as Record<string, unknown>[]) {
    if (typeof s?.type === "string" && s.type !== "") {
      out.push({ type: s.type, usage: null, label: typeof s.label === "string" ? s.label : null });
    }
  }
  return out;
}

/** `zpool status -LP`: kernel name of every vdev device → its pool. */
export function parseZpoolStatus(text: string): Map<string, string> {
  const devices = new Map<string, string>();
  let pool: string | null = null;
  for (const line of text.split("\n")) {
    const p = /^\s*pool:\s*(\S+)/.exec(line);
    if (p) {
      pool = p[1]!;
      continue;
    }
    if (pool === null) continue;
    for (const m of line.matchAll(/(?:^\s+|\bwas\s+)\/dev\/(\S+)/g)) {
      const kname = m[1]!.split("/").pop()!;
      if (!devices.has(kname)) devices.set(kname, pool);
    }
  }
  return devices;
}

export interface MountEntry {
  majMin: string;
  mountpoint: string;
  fstype: string;
  source: string;
}

/** Decodes the octal escapes (\040 space, \011 tab, \012 newline, \134 backslash) of /proc files. */
function unescapeProc(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** /proc/self/mountinfo: "id parent maj:min root mountpoint opts [optional…] - fstype source superopts". */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(" ");
    const dash = f.indexOf("-", 6);
    if (f.length < 7 || dash < 0 || !/^\d+:\d+$/.test(f[2]!)) continue;
    out.push({
      majMin: f[2]!,
      mountpoint: unescapeProc(f[4]!),
      fstype: f[dash + 1] ?? "",
      source: unescapeProc(f[dash + 2] ?? ""),
    });
  }
  return out;
}

/** /proc/swaps: the active swap areas' paths ("/dev/sda2", "/swapfile"). */
export function parseSwaps(text: string): string[] {
  return text
    .split("\n")
    .slice(1)
    .map((l) => l.trim().split(/\s+/)[0] ?? "")
    .filter((p) => p !== "")
    .map(unescapeProc);
}

/** Rank of a /dev/disk/by-id name as a stable path; lower is better, null = never use. */
function byIdRank(name: string): number | null {
  if (/-part\d+$/.test(name) || /^(dm-|md-|lvm-)/.test(name)) return null;
  if (name.startsWith("wwn-")) return 0;
  if (name.startsWith("nvme-eui.") || name.startsWith("nvme-nvme.")) return 2;
  if (/^(ata|nvme|scsi)-/.test(name)) return 1;
  return 3;
}

/** Lines "LINKNAME KNAME" → kernel name → best by-id path (wwn-, then ata-/nvme-/scsi-, then others). */
export function pickByIdPaths(text: string): Map<string, string> {
  const best = new Map<string, { rank: number; name: string }>();
  for (const line of text.split("\n")) {
    const [name, kname, extra] = line.trim().split(" ");
    if (!name || !kname || extra !== undefined) continue;
    const rank = byIdRank(name);
    if (rank === null) continue;
    const cur = best.get(kname);
    if (!cur || rank < cur.rank || (rank === cur.rank && name < cur.name)) best.set(kname, { rank, name });
  }
  return new Map([...best].map(([k, v]) => [k, `/dev/disk/by-id/${v.name}`]));
}

export interface TrueNasDiskUse {
  imported: string | null;
  exported: string | null;
}

/** `midclt call disk.details`: {used: [...], unused: [...]} (or a plain list) → name → pool use. */
export function parseMidcltDiskDetails(text: string): Map<string, TrueNasDiskUse> {
  const parsed = JSON.parse(text) as unknown;
  const rec = parsed as { used?: unknown; unused?: unknown };
  const list = Array.isArray(parsed)
    ? parsed
    : [...(Array.isArray(rec?.used) ? rec.used : []), ...(Array.isArray(rec?.unused) ? rec.unused : [])];
  const out = new Map<string, TrueNasDiskUse>();
  for (const d of list as Record<string, unknown>[]) {
    if (typeof d?.name !== "string") continue;
    const imported = typeof d.imported_zpool === "string" ? d.imported_zpool : null;
    const exported = typeof d.exported_zpool === "string" ? d.exported_zpool : null;
    out.set(d.name, { imported, exported });
  }
  return out;
}
