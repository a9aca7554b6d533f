// The drive inventory's domain types: what one scan of a host says about its drives.
// Raw tool output shapes live beside their parsers (lsblk.ts, probes.ts, smartctl.ts).

export interface ScanOptions {
  /** List attached loop devices (size > 0) as drives: tests and image files. */
  includeLoopDevices: boolean;
  /** Probe only these kernel names (a start's or precheck's fresh look at its drives); all when absent. */
  only?: string[];
}

export interface DriveSmart {
  available: boolean;
  /** Why SMART data is unavailable, for the operator. */
  reason?: string;
  /** `smartctl --json -i -A` output as parsed JSON, kept for later stages. */
  raw?: unknown;
}

export interface ScannedDrive {
  /** Kernel name: "sda", "nvme0n1", "loop3". */
  devName: string;
  /** "/dev/sda". */
  devPath: string;
  /** Best stable path: "/dev/disk/by-id/wwn-…" or another by-id name; else devPath. */
  path: string;
  serial: string | null;
  wwn: string | null;
  model: string | null;
  firmware: string | null;
  sizeBytes: number;
  rotational: boolean;
  /** "sata", "sas", "nvme", "usb", "loop", … or null when the host does not say. */
  transport: string | null;
  temperatureC: number | null;
  /** A loop device's backing file (its identity at launch); absent for other drives. */
  backingFile?: string | null;
  /** "serial:XYZ", "wwn:0x…", "path:/dev/disk/by-id/…" or "dev:loop3". */
  identityKey: string;
  /** What the operator must type to confirm a destructive run: the serial, else devName. */
  confirmName: string;
  /** Null when nothing claims the drive; else the reasons, most important first. */
  inUse: { reason: string } | null;
  smart: DriveSmart;
}

export interface ScanResult {
  drives: ScannedDrive[];
  /** Things the operator should know about the scan itself (skipped names, failed probes). */
  warnings: string[];
}

/** A signature found on a device by blkid or wipefs. */
export interface Signature {
  type: string;
  /** blkid's USAGE ("filesystem", "raid", "crypto", "other") when known. */
  usage: string | null;
  label: string | null;
}

/** Everything the in-use decision looks at for one drive; built by inuse.ts from a scan. */
export interface DriveFacts {
  bootDisk: boolean;
  /** Pools the drive (or a partition of it) belongs to: imported, or named by a zfs_member label. */
  zfsPools: string[];
  /** Pools TrueNAS reports as exported but importable from this drive. */
  exportedZfsPools: string[];
  mountpoints: string[];
  swap: boolean;
  /** Kernel names holding the drive or its partitions: "dm-0", "md127". */
  holders: string[];
  hasPartitions: boolean;
  /** Partition table type found by a probe ("gpt", "dos") even when no partition is registered. */
  partitionTable: string | null;
  signatures: Signature[];
  /** blkid found several conflicting signatures (exit code 8). */
  ambivalentSignatures: boolean;
  /** Set when no probe could tell whether the drive is blank. */
  probeProblem: string | null;
}
