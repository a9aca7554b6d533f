import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { collectFacts, digestProbes, inUseOf, inUseReasons, type DeviceProbe, type HostFacts } from "../src/inventory/inuse.js";
import { parseLsblkJson } from "../src/inventory/lsblk.js";
import { parseMountinfo, parseSwaps, parseZpoolStatus } from "../src/inventory/probes.js";
import type { DriveFacts } from "../src/inventory/types.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/inventory/${name}`, import.meta.url), "utf8");

const blank: DriveFacts = {
  bootDisk: false,
  zfsPools: [],
  exportedZfsPools: [],
  mountpoints: [],
  swap: false,
  holders: [],
  hasPartitions: false,
  partitionTable: null,
  signatures: [],
  ambivalentSignatures: false,
  probeProblem: null,
};
const facts = (over: Partial<DriveFacts>): DriveFacts => ({ ...blank, ...over });

describe("in-use reasons, one rule at a time", () => {
  it("a drive nothing claims is free", () => {
    expect(inUseOf(blank)).toBeNull();
  });

  it.each<[string, Partial<DriveFacts>, string]>([
    ["boot disk", { bootDisk: true }, "holds the root filesystem (boot disk)"],
    ["zfs pool", { zfsPools: ["tank"] }, "zfs pool tank"],
    ["exported pool", { exportedZfsPools: ["oldpool"] }, "exported zfs pool oldpool (TrueNAS)"],
    ["mounted", { mountpoints: ["/mnt/x"] }, "mounted at /mnt/x"],
    ["swap", { swap: true }, "swap"],
    ["device-mapper holder", { holders: ["dm-0"] }, "in use by device-mapper (holders)"],
    ["md holder", { holders: ["md127"] }, "in use by md RAID (holders)"],
    ["partitions", { hasPartitions: true }, "has partitions"],
    ["bare partition table", { partitionTable: "gpt" }, "has partitions (gpt partition table)"],
    ["filesystem signature", { signatures: [{ type: "ext4", usage: "filesystem", label: null }] }, "ext4 filesystem signature"],
    ["raid signature", { signatures: [{ type: "linux_raid_member", usage: "raid", label: null }] }, "linux_raid_member signature"],
    ["LVM signature", { signatures: [{ type: "LVM2_member", usage: "raid", label: null }] }, "LVM2_member signature"],
    ["filesystem named by wipefs only", { signatures: [{ type: "xfs", usage: null, label: null }] }, "xfs filesystem signature"],
    ["conflicting signatures", { ambivalentSignatures: true }, "conflicting signatures found by blkid"],
    ["unprobed drive", { probeProblem: "could not probe for signatures (x)" }, "could not probe for signatures (x)"],
  ])("%s", (_name, over, reason) => {
    expect(inUseOf(facts(over))).toEqual({ reason });
  });

  it("orders several reasons by importance: boot, zfs, mounted, swap, holders, partitions", () => {
    const all = facts({ hasPartitions: true, holders: ["dm-1"], swap: true, mountpoints: ["/boot"], zfsPools: ["rpool"], bootDisk: true });
    expect(inUseReasons(all)).toEqual([
      "holds the root filesystem (boot disk)",
      "zfs pool rpool",
      "mounted at /boot",
      "swap",
      "in use by device-mapper (holders)",
      "has partitions",
    ]);
  });

  it("leaves out signatures and probe problems once something stronger claims the drive", () => {
    const md = facts({ holders: ["md0"], signatures: [{ type: "linux_raid_member", usage: "raid", label: null }], probeProblem: "x" });
    expect(inUseReasons(md)).toEqual(["in use by md RAID (holders)"]);
  });

  it("shortens a long list of mount points", () => {
    expect(inUseOf(facts({ mountpoints: ["/a", "/b", "/c", "/d", "/e"] }))!.reason).toBe("mounted at /a, /b, /c and 2 more");
  });
});

describe("signature probes", () => {
  it("finds nothing on a blank drive (blkid exit 2 without error, wipefs empty)", () => {
    const p = digestProbes([], { rc: 2, stdout: "", stderr: "" }, { rc: 0, stdout: "", stderr: "" });
    expect(p).toEqual({ holders: [], signatures: [], partitionTable: null, ambivalent: false, problem: null });
  });

  it("does not take a blkid failure for a blank drive", () => {
    const p = digestProbes([], { rc: 2, stdout: "", stderr: "blkid: error: /dev/sdx: Permission denied" }, null);
    expect(p.problem).toBe("could not probe for signatures (blkid: /dev/sdx: Permission denied; wipefs not run)");
  });

  it("merges wipefs' extra signatures and partition tables into blkid's answer", () => {
    const wipefs = JSON.stringify({ signatures: [{ type: "PMBR" }, { type: "gpt" }, { type: "ext4" }] });
    const p = digestProbes([], { rc: 0, stdout: "TYPE=ext4\nUSAGE=filesystem\n", stderr: "" }, { rc: 0, stdout: wipefs, stderr: "" });
    expect(p.partitionTable).toBe("gpt");
    expect(p.signatures).toEqual([{ type: "ext4", usage: "filesystem", label: null }]);
  });

  it("flags blkid's ambivalent result (exit 8)", () => {
    expect(digestProbes([], { rc: 8, stdout: "", stderr: "" }, null).ambivalent).toBe(true);
  });
});

describe("facts from a documented lsblk tree", () => {
  const devices = parseLsblkJson(fixture("lsblk-documented-2.38-mixed.json"));
  const probe = (over: Partial<DeviceProbe> = {}): DeviceProbe => ({ holders: [], signatures: [], partitionTable: null, ambivalent: false, problem: null, ...over });
  const host: HostFacts = {
    mounts: parseMountinfo(fixture("mountinfo-documented-mixed.txt")),
    swaps: parseSwaps(fixture("swaps-documented-mixed.txt")),
    zpoolDevices: parseZpoolStatus(fixture("zpool-status-documented-LP.txt")),
    truenas: new Map(),
    probes: new Map(devices.map((d) => [d.kname, probe()])),
  };
  const reasonOf = (kname: string, h: HostFacts = host) => inUseOf(collectFacts(devices.find((d) => d.kname === kname)!, h))?.reason ?? null;

  it("finds the boot disk through the partition mounted at /", () => {
    expect(reasonOf("sda")).toBe("holds the root filesystem (boot disk); mounted at /boot/efi, /; has partitions");
  });

  it("names the zfs pool of a partition listed by zpool status", () => {
    expect(reasonOf("sdd")).toBe("zfs pool tank; has partitions");
  });

  it("names the pool from a zfs_member label when zpool is not installed", () => {
    expect(reasonOf("sdd", { ...host, zpoolDevices: new Map() })).toBe("zfs pool tank; has partitions");
  });

  it("sees an md member through its holder", () => {
    expect(reasonOf("sde")).toBe("in use by md RAID (holders)");
  });

  it("sees an active swap partition", () => {
    expect(reasonOf("sdg")).toBe("swap; has partitions");
  });

  it("sees a mounted LVM volume on a partition of the drive", () => {
    expect(reasonOf("sdh")).toBe("mounted at /data; in use by device-mapper (holders); has partitions");
  });

  it("finds the boot disk of a ZFS root through its pool", () => {
    const zfsRoot = { ...host, mounts: [{ majMin: "0:26", mountpoint: "/", fstype: "zfs", source: "tank/ROOT/debian" }] };
    expect(reasonOf("sdd", zfsRoot)).toMatch(/^holds the root filesystem \(boot disk\); zfs pool tank/);
  });

  it("leaves blank drives of every transport free", () => {
    expect(["sdb", "sdc", "sdf", "nvme0n1"].map((k) => reasonOf(k))).toEqual([null, null, null, null]);
  });

  it("counts a drive the scan did not probe as in use", () => {
    expect(reasonOf("sdb", { ...host, probes: new Map() })).toBe("not probed by the scan");
  });
});
