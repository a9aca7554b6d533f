// Whether a drive is in use, and why: pure decisions over what one scan saw.
// Reasons, most important first: boot disk, zfs pool, mounted, swap, holders, partitions, signature.
import { subtree, type LsblkDevice } from "./lsblk.js";
import { blkidSignatures, parseBlkidExport, parseWipefsJson, type MountEntry, type TrueNasDiskUse } from "./probes.js";
import type { DriveFacts, Signature } from "./types.js";

/** One probe command's result as the scan framed it. */
export interface ProbeRun {
  rc: number;
  stdout: string;
  stderr: string;
}

/** What the per-device probes say, digested. */
export interface DeviceProbe {
  holders: string[];
  signatures: Signature[];
  partitionTable: string | null;
  ambivalent: boolean;
  /** Set when neither blkid nor wipefs could say whether the device is blank. */
  problem: string | null;
}

export interface HostFacts {
  mounts: MountEntry[];
  swaps: string[];
  zpoolDevices: Map<string, string>;
  truenas: Map<string, TrueNasDiskUse>;
  probes: Map<string, DeviceProbe>;
}

/** Signature types that are partition tables, not contents. */
const PARTITION_TABLES = new Set(["dos", "gpt", "PMBR", "mac", "bsd", "sun", "sgi", "atari", "aix", "solaris", "minix", "unixware"]);
/** Filesystems wipefs may name without blkid's USAGE alongside. */
const FILESYSTEMS = new Set(["ext2", "ext3", "ext4", "xfs", "btrfs", "vfat", "exfat", "ntfs", "f2fs", "jfs", "reiserfs", "hfsplus", "apfs", "iso9660", "udf", "squashfs", "bcachefs", "nilfs2"]);

/** The first line of a tool's stderr, without its "blkid: error: " prefix. */
function firstLine(s: string): string {
  const line = s.trim().split("\n")[0]?.trim() ?? "";
  return line.replace(/^(blkid|wipefs):\s*(error:\s*)?/, "");
}

/** Combines blkid and wipefs into signatures; a probe "fails" only when neither could answer. */
export function digestProbes(holders: string[], blkid: ProbeRun | null, wipefs: ProbeRun | null): DeviceProbe {
  const problems: string[] = [];
  const sigs: Signature[] = [];
  let table: string | null = null;
  const blkidOk = blkid !== null && (blkid.rc === 0 || blkid.rc === 8 || (blkid.rc === 2 && blkid.stderr.trim() === ""));
  if (blkid && blkidOk) {
    const values = parseBlkidExport(blkid.stdout);
    table = values.PTTYPE ?? null;
    sigs.push(...blkidSignatures(values));
  } else {
    problems.push(blkid ? `blkid: ${firstLine(blkid.stderr) || `exit ${blkid.rc}`}` : "blkid not run");
  }
  let wipefsOk = false;
  if (wipefs && wipefs.rc === 0) {
    try {
      for (const s of parseWipefsJson(wipefs.stdout)) {
        if (PARTITION_TABLES.has(s.type)) table ??= s.type === "PMBR" ? "gpt" : s.type;
        else if (!sigs.some((x) => x.type === s.type)) sigs.push(s);
      }
      wipefsOk = true;
    } catch {
      problems.push("wipefs: output is not JSON");
    }
  } else {
    problems.push(wipefs ? `wipefs: ${firstLine(wipefs.stderr) || `exit ${wipefs.rc}`}` : "wipefs not run");
  }
  return {
    holders,
    signatures: sigs,
    partitionTable: table,
    ambivalent: blkidOk && blkid?.rc === 8,
    problem: blkidOk || wipefsOk ? null : `could not probe for signatures (${problems.join("; ")})`,
  };
}

function devKname(path: string): string | null {
  return path.startsWith("/dev/") ? path.split("/").pop() ?? null : null;
}

/** Gathers the facts about one whole drive from its lsblk subtree and the host-wide probes. */
export function collectFacts(drive: LsblkDevice, host: HostFacts): DriveFacts {
  const nodes = subtree(drive);
  const knames = new Set(nodes.map((n) => n.kname));
  const names = new Set(nodes.map((n) => n.name));
  const majMins = new Set(nodes.map((n) => n.majMin).filter((m): m is string => m !== null));
  const probe = host.probes.get(drive.kname);
  const onDrive = (m: MountEntry) => majMins.has(m.majMin) || knames.has(devKname(m.source) ?? "");

  const mountpoints = [...new Set([
    ...nodes.flatMap((n) => n.mountpoints.filter((m) => m !== "[SWAP]")),
    ...host.mounts.filter(onDrive).map((m) => m.mountpoint),
  ])];
  const swap =
    nodes.some((n) => n.mountpoints.includes("[SWAP]")) ||
    host.swaps.some((p) => knames.has(devKname(p) ?? "") || (p.startsWith("/dev/mapper/") && names.has(p.slice(12))));

  const pools = new Set<string>();
  for (const n of nodes) {
    const pool = host.zpoolDevices.get(n.kname);
    if (pool) pools.add(pool);
    if (n.fstype === "zfs_member" && n.label) pools.add(n.label);
  }
  for (const s of probe?.signatures ?? []) if (s.type === "zfs_member" && s.label) pools.add(s.label);
  const nas = host.truenas.get(drive.kname);
  if (nas?.imported) pools.add(nas.imported);
  const exported = nas?.exported && !pools.has(nas.exported) ? [nas.exported] : [];

  const root = host.mounts.filter((m) => m.mountpoint === "/").pop();
  const bootDisk =
    mountpoints.includes("/") ||
    (root !== undefined && (onDrive(root) || (root.fstype === "zfs" && pools.has(root.source.split("/")[0]!))));

  const holders = new Set(probe?.holders ?? []);
  for (const n of nodes.slice(1)) if (n.type !== "part") holders.add(n.kname);

  const signatures = [...(probe?.signatures ?? [])];
  if (drive.fstype && !signatures.some((s) => s.type === drive.fstype)) {
    signatures.push({ type: drive.fstype, usage: null, label: drive.label });
  }
  return {
    bootDisk,
    zfsPools: [...pools],
    exportedZfsPools: exported,
    mountpoints,
    swap,
    holders: [...holders],
    hasPartitions: drive.children.some((c) => c.type === "part"),
    partitionTable: drive.pttype ?? probe?.partitionTable ?? null,
    signatures,
    ambivalentSignatures: probe?.ambivalent ?? false,
    probeProblem: probe ? probe.problem : "not probed by the scan",
  };
}

function holderReason(kname: string): string {
  if (kname.startsWith("dm-")) return "in use by device-mapper (holders)";
  if (kname.startsWith("md")) return "in use by md RAID (holders)";
  return `in use by ${kname} (holders)`;
}

function signatureReason(s: Signature): string {
  const fs = s.usage === "filesystem" || FILESYSTEMS.has(s.type);
  return fs && s.type !== "zfs_member" ? `${s.type} filesystem signature` : `${s.type} signature`;
}

function mountedReason(points: string[]): string {
  const shown = points.slice(0, 3).join(", ");
  return points.length > 3 ? `mounted at ${shown} and ${points.length - 3} more` : `mounted at ${shown}`;
}

/** Every reason that applies, most important first, without repeats. */
export function inUseReasons(f: DriveFacts): string[] {
  const r: string[] = [];
  if (f.bootDisk) r.push("holds the root filesystem (boot disk)");
  for (const p of f.zfsPools) r.push(`zfs pool ${p}`);
  for (const p of f.exportedZfsPools) r.push(`exported zfs pool ${p} (TrueNAS)`);
  if (f.mountpoints.length > 0) r.push(mountedReason(f.mountpoints));
  if (f.swap) r.push("swap");
  for (const h of f.holders) r.push(holderReason(h));
  // A signature only explains a drive that nothing stronger already claims.
  const claimed = r.length > 0;
  if (f.hasPartitions) r.push("has partitions");
  else if (f.partitionTable) r.push(`has partitions (${f.partitionTable} partition table)`);
  if (!claimed) r.push(...f.signatures.map(signatureReason));
  if (f.ambivalentSignatures) r.push("conflicting signatures found by blkid");
  // Unknown contents make a drive count as in use, unless something already claims it.
  if (f.probeProblem && !claimed) r.push(f.probeProblem);
  return [...new Set(r)];
}

/** The contract's `inUse`: null when free, else the reasons joined, most important first. */
export function inUseOf(f: DriveFacts): { reason: string } | null {
  const reasons = inUseReasons(f);
  return reasons.length === 0 ? null : { reason: reasons.join("; ") };
}
