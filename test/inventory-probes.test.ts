import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  blkidSignatures,
  parseBlkidExport,
  parseMidcltDiskDetails,
  parseMountinfo,
  parseSwaps,
  parseWipefsJson,
  parseZpoolStatus,
  pickByIdPaths,
} from "../src/inventory/probes.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/inventory/${name}`, import.meta.url), "utf8");

describe("blkid -p -o export", () => {
  it("reads a filesystem signature with its usage and label", () => {
    const values = parseBlkidExport("DEVNAME=/dev/sdb\nUUID=33b5\nLABEL=backup\nTYPE=ext4\nUSAGE=filesystem\n");
    expect(blkidSignatures(values)).toEqual([{ type: "ext4", usage: "filesystem", label: "backup" }]);
  });

  it("keeps a partition table apart from signatures", () => {
    const values = parseBlkidExport("DEVNAME=/dev/loop1\nPTUUID=12345678\nPTTYPE=dos\n");
    expect(values.PTTYPE).toBe("dos");
    expect(blkidSignatures(values)).toEqual([]);
  });

  it("ignores error lines", () => {
    expect(parseBlkidExport("blkid: error: /dev/vda: Operation not permitted\n")).toEqual({});
  });
});

describe("wipefs -n -J", () => {
  it("lists every signature, with labels", () => {
    const text = JSON.stringify({
      signatures: [
        { device: "sdb", offset: "0x1000", type: "linux_raid_member", uuid: "a", label: "nas:0" },
        { device: "sdb", offset: "0x438", type: "ext4", uuid: "b", label: null },
      ],
    });
    expect(parseWipefsJson(text).map((s) => [s.type, s.label])).toEqual([
      ["linux_raid_member", "nas:0"],
      ["ext4", null],
    ]);
  });

  it("treats empty output as no signature", () => {
    expect(parseWipefsJson("")).toEqual([]);
  });
});

describe("zpool status -LP", () => {
  const devices = parseZpoolStatus(fixture("zpool-status-documented-LP.txt"));

  it("maps data, log, spare and missing ('was') devices to their pools", () => {
    expect(Object.fromEntries(devices)).toEqual({
      sdd1: "tank",
      sdq1: "tank",
      nvme1n1p1: "tank",
      sdr1: "tank",
      sds3: "boot-pool",
    });
  });

  it("finds nothing in 'no pools available'", () => {
    expect(parseZpoolStatus("no pools available\n").size).toBe(0);
  });
});

describe("/proc/self/mountinfo and /proc/swaps", () => {
  it("reads device numbers, decoded mount points and sources", () => {
    const mounts = parseMountinfo(fixture("mountinfo-documented-mixed.txt"));
    expect(mounts.find((m) => m.mountpoint === "/")).toEqual({ majMin: "8:2", mountpoint: "/", fstype: "ext4", source: "/dev/sda2" });
    expect(mounts.find((m) => m.majMin === "253:0")!.source).toBe("/dev/mapper/vg0-data");
  });

  it("decodes octal escapes in mount points", () => {
    const [m] = parseMountinfo("40 28 8:33 / /mnt/my\\040disk rw - ext4 /dev/sdc1 rw\n");
    expect(m!.mountpoint).toBe("/mnt/my disk");
  });

  it("lists active swap areas without the header", () => {
    expect(parseSwaps(fixture("swaps-documented-mixed.txt"))).toEqual(["/dev/sdg1", "/dev/zram0"]);
  });
});

describe("/dev/disk/by-id links", () => {
  it("prefers wwn-, then ata-/nvme-/scsi- names, and skips partitions", () => {
    const lines = [
      "ata-WDC_WD40EFRX-68N32N0_WD-WCC4E1234567 sdd",
      "ata-WDC_WD40EFRX-68N32N0_WD-WCC4E1234567-part1 sdd1",
      "wwn-0x50014ee2b1c2d3e4 sdd",
      "wwn-0x50014ee2b1c2d3e4-part1 sdd1",
      "nvme-eui.0025385b71b2c3d4 nvme0n1",
      "nvme-Samsung_SSD_970_EVO_Plus_1TB_S4EWNX0R123456 nvme0n1",
      "usb-WD_Elements_25A2_575836-0:0 sdc",
      "dm-name-vg0-data dm-0",
    ].join("\n");
    expect(Object.fromEntries(pickByIdPaths(lines))).toEqual({
      sdd: "/dev/disk/by-id/wwn-0x50014ee2b1c2d3e4",
      nvme0n1: "/dev/disk/by-id/nvme-Samsung_SSD_970_EVO_Plus_1TB_S4EWNX0R123456",
      sdc: "/dev/disk/by-id/usb-WD_Elements_25A2_575836-0:0",
    });
  });
});

describe("TrueNAS midclt call disk.details", () => {
  it("maps disk names to imported and exported pools", () => {
    const uses = parseMidcltDiskDetails(fixture("midclt-documented-disk-details.json"));
    expect(uses.get("sdd")).toEqual({ imported: "tank", exported: null });
    expect(uses.get("sdk")).toEqual({ imported: null, exported: "oldpool" });
    expect(uses.get("sdb")).toEqual({ imported: null, exported: null });
  });
});
