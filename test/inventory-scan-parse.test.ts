// parseScanOutput on scan outputs framed here from documented-format fixtures (no real disks).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseScanOutput } from "../src/inventory/scan.js";
import type { ScannedDrive } from "../src/inventory/types.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/inventory/${name}`, import.meta.url), "utf8");
const NONCE = "0123456789abcdef";

/** Frames sections the way the scan script does: "\n@@KILN:<nonce> <header>\n<body>". */
function frame(sections: [string, string?][]): Buffer {
  const parts = sections.map(([header, body]) => `\n@@KILN:${NONCE} ${header}\n${body ?? ""}`);
  return Buffer.from(`\n@@KILN:${NONCE} begin 1${parts.join("")}\n@@KILN:${NONCE} end\n`);
}

/** The per-device sections: dev, holders, blkid, wipefs and optionally smartctl. */
function device(name: string, o: { holders?: string; blkid?: string; smart?: [number, string] } = {}): [string, string?][] {
  const out: [string, string?][] = [
    [`dev ${name} 1000`],
    [`holders ${name}`, o.holders ?? ""],
    [`blkid ${name} ${o.blkid ? 0 : 2}`, o.blkid ?? ""],
    [`wipefs ${name} 0`, ""],
  ];
  if (o.smart) out.push([`smartctl ${name} ${o.smart[0]}`, o.smart[1]]);
  return out;
}

const byId = [
  "wwn-0x5002538e40a1b2c3 sda",
  "ata-Samsung_SSD_860_EVO_500GB_S3Z9NB0K123456A sda",
  "wwn-0x50014ee2b1c2d3e4 sdd",
  "wwn-0x50014ee2b1c2d3e4-part1 sdd1",
  "scsi-35000c500a1b2c3d4 sdb",
  "usb-WD_Elements_25A2_575836314142434445-0:0 sdc",
  "nvme-Samsung_SSD_970_EVO_Plus_1TB_S4EWNX0R123456 nvme0n1",
].join("\n");
const standby = JSON.stringify({ smartctl: { messages: [{ string: "Device is in STANDBY mode, exit(2)", severity: "information" }], exit_status: 2 } });
const noSerialSmart = JSON.stringify({ device: { protocol: "ATA" }, model_name: "Generic SSD", rotation_rate: 0, smart_support: { available: true }, temperature: { current: 29 } });

function mixedHost(extra: [string, string?][] = []): Buffer {
  return frame([
    ["lsblk mountpoints 0", fixture("lsblk-documented-2.38-mixed.json")],
    ["byid", byId],
    ["mountinfo", fixture("mountinfo-documented-mixed.txt")],
    ["swaps", fixture("swaps-documented-mixed.txt")],
    ...device("sda", { blkid: "DEVNAME=/dev/sda\nPTUUID=1f2e\nPTTYPE=gpt" }),
    ...device("sdb", { smart: [0, fixture("smartctl-documented-scsi.json")] }),
    ...device("sdc", { smart: [2, standby] }),
    ...device("sdd", { blkid: "PTTYPE=gpt", smart: [0, fixture("smartctl-documented-ata.json")] }),
    ...device("sde", { holders: "md0", blkid: "LABEL=nas:0\nTYPE=linux_raid_member\nUSAGE=raid" }),
    ...device("sdf", { smart: [4, noSerialSmart] }),
    ...device("sdg", { blkid: "PTTYPE=dos" }),
    ...device("sdh", { holders: "dm-0", blkid: "PTTYPE=gpt" }),
    ...device("nvme0n1", { smart: [0, fixture("smartctl-documented-nvme.json")] }),
    ...device("loop0"),
    ["backing loop0", "/tmp/kiln-test-x/disk.img"],
    ["zpool - 0", fixture("zpool-status-documented-LP.txt")],
    ...extra,
  ]);
}

const byName = (drives: ScannedDrive[]) => new Map(drives.map((d) => [d.devName, d]));

describe("a documented mixed host (SATA, SAS, USB, NVMe; boot, ZFS, md, LVM, swap)", () => {
  const { drives, warnings } = parseScanOutput(mixedHost(), { includeLoopDevices: false });
  const d = byName(drives);

  it("lists whole disks only: no partitions, rom, zram or loop devices", () => {
    expect(drives.map((x) => x.devName)).toEqual(["sda", "sdb", "sdc", "sdd", "sde", "sdf", "sdg", "sdh", "nvme0n1"]);
    expect(warnings).toEqual([]);
  });

  it("reports each transport", () => {
    expect(["sda", "sdb", "sdc", "nvme0n1"].map((n) => d.get(n)!.transport)).toEqual(["sata", "sas", "usb", "nvme"]);
  });

  it("gives the reason each drive is in use, most important first", () => {
    expect(Object.fromEntries(drives.map((x) => [x.devName, x.inUse?.reason ?? null]))).toEqual({
      sda: "holds the root filesystem (boot disk); mounted at /boot/efi, /; has partitions",
      sdb: null,
      sdc: null,
      sdd: "zfs pool tank; has partitions",
      sde: "in use by md RAID (holders)",
      sdf: null,
      sdg: "swap; has partitions",
      sdh: "mounted at /data; in use by device-mapper (holders); has partitions",
      nvme0n1: null,
    });
  });

  it("picks the wwn- by-id path as the stable path, else the best other by-id name, else /dev", () => {
    expect(["sda", "sdb", "sdc", "nvme0n1", "sdf"].map((n) => d.get(n)!.path)).toEqual([
      "/dev/disk/by-id/wwn-0x5002538e40a1b2c3",
      "/dev/disk/by-id/scsi-35000c500a1b2c3d4",
      "/dev/disk/by-id/usb-WD_Elements_25A2_575836314142434445-0:0",
      "/dev/disk/by-id/nvme-Samsung_SSD_970_EVO_Plus_1TB_S4EWNX0R123456",
      "/dev/sdf",
    ]);
  });

  it("keys identity on the serial, and falls back to the kernel name only without serial, WWN or by-id", () => {
    expect(d.get("sdb")!.identityKey).toBe("serial:Z1Z2ABCD");
    expect(d.get("sdb")!.confirmName).toBe("Z1Z2ABCD");
    expect(d.get("sdf")!.identityKey).toBe("dev:sdf");
    expect(d.get("sdf")!.confirmName).toBe("sdf");
  });

  it("names the model with the SCSI vendor but without the ATA placeholder", () => {
    expect(["sda", "sdb", "sdc"].map((n) => d.get(n)!.model)).toEqual(["Samsung SSD 860 EVO 500GB", "SEAGATE ST4000NM0023", "WD Elements 25A2"]);
  });

  it("takes temperature and rotation from smartctl, and keeps its raw JSON", () => {
    expect(["sdd", "sdb", "nvme0n1", "sdf", "sdc"].map((n) => d.get(n)!.temperatureC)).toEqual([34, 31, 38, 29, null]);
    expect(d.get("sdf")!.rotational).toBe(false);
    expect(d.get("sdd")!.smart.available).toBe(true);
    expect((d.get("sdd")!.smart.raw as { serial_number: string }).serial_number).toBe("WD-WCC4E1234567");
  });

  it("says why SMART is unavailable for a drive in standby", () => {
    expect(d.get("sdc")!.smart).toMatchObject({ available: false, reason: expect.stringMatching(/standby/) });
  });
});

describe("loop devices", () => {
  it("are listed only with includeLoopDevices, attached ones only, with their backing file", () => {
    const { drives } = parseScanOutput(mixedHost(), { includeLoopDevices: true });
    const loops = drives.filter((x) => x.transport === "loop");
    expect(loops.map((l) => [l.devName, l.model, l.identityKey, l.inUse])).toEqual([
      ["loop0", "loop: /tmp/kiln-test-x/disk.img", "dev:loop0", null],
    ]);
    expect(loops[0]!.smart.available).toBe(false);
  });
});

describe("older and thinner hosts", () => {
  it("reads util-linux 2.33 output (MOUNTPOINT, string values)", () => {
    const out = frame([
      ["lsblk mountpoint 0", fixture("lsblk-documented-2.33-mountpoint.json")],
      ...device("sda", { blkid: "PTTYPE=gpt" }),
      ...device("sdb"),
      ...device("sdg", { blkid: "PTTYPE=dos" }),
    ]);
    const d = byName(parseScanOutput(out, { includeLoopDevices: false }).drives);
    expect([...d.keys()]).toEqual(["sda", "sdb", "sdg"]);
    expect(d.get("sda")!.inUse!.reason).toMatch(/^holds the root filesystem \(boot disk\); mounted at \/boot\/efi, \//);
    expect(d.get("sdg")!.inUse!.reason).toBe("swap; has partitions");
    expect(d.get("sdb")!).toMatchObject({ inUse: null, sizeBytes: 4000787030016, rotational: true, transport: "sas" });
  });

  it("takes serial, WWN and model from smartctl where lsblk has none (no udev)", () => {
    const lsblk = JSON.stringify({ blockdevices: [{ name: "sdd", kname: "sdd", type: "disk", size: 4000787030016, rota: true, serial: null, wwn: null, model: null }] });
    const out = frame([["lsblk mountpoints 0", lsblk], ...device("sdd", { smart: [0, fixture("smartctl-documented-ata.json")] })]);
    const [drive] = parseScanOutput(out, { includeLoopDevices: false }).drives;
    expect(drive).toMatchObject({ serial: "WD-WCC4E1234567", wwn: "0x50014ee2b1c2d3e4", model: "WDC WD40EFRX-68N32N0", transport: "ata", identityKey: "serial:WD-WCC4E1234567" });
  });

  it("marks an imported or exported TrueNAS pool", () => {
    const midclt = JSON.stringify({ used: [{ name: "sdb", imported_zpool: null, exported_zpool: "oldpool" }], unused: [] });
    const d = byName(parseScanOutput(mixedHost([["midclt - 0", midclt]]), { includeLoopDevices: false }).drives);
    expect(d.get("sdb")!.inUse).toEqual({ reason: "exported zfs pool oldpool (TrueNAS)" });
  });
});

describe("hostile and broken output", () => {
  it("drops device names with shell metacharacters, with a warning", () => {
    const out = frame([["lsblk mountpoints 0", fixture("lsblk-documented-hostile-names.json")], ...device("sdb")]);
    const { drives, warnings } = parseScanOutput(out, { includeLoopDevices: true });
    expect(drives.map((x) => x.devName)).toEqual(["sdb"]);
    expect(warnings).toEqual([
      'dropped a device with an unsafe name: "sdx;reboot"',
      'dropped a device with an unsafe name: "$(touch /tmp/kiln-pwned)"',
      'dropped a device with an unsafe name: "loop9`id`"',
    ]);
  });

  it("reports names the script itself skipped", () => {
    const out = frame([["lsblk mountpoints 0", '{"blockdevices":[]}'], ["skipped invalid-name", "sd$(x)"]]);
    expect(parseScanOutput(out, { includeLoopDevices: false }).warnings).toEqual(['skipped a block device with an unsafe name: "sd$(x)"']);
  });

  it("ignores frame-like lines with another nonce inside sections", () => {
    const forged = mixedHost().toString().replace("Filename", "@@KILN:ffffffffffffffff end\n@@KILN:ffffffffffffffff dev sdz 1\nFilename");
    const { drives, warnings } = parseScanOutput(Buffer.from(`motd line\n${forged}`), { includeLoopDevices: false });
    expect(warnings).toEqual([]);
    expect(drives.map((x) => x.devName)).toEqual(["sda", "sdb", "sdc", "sdd", "sde", "sdf", "sdg", "sdh", "nvme0n1"]);
  });

  it("with the script's nonce, ignores even a begin frame forged by a login banner", () => {
    const banner = `@@KILN:ffffffffffffffff begin 1\n@@KILN:ffffffffffffffff lsblk mountpoints 0\n{"blockdevices":[]}\n`;
    const out = Buffer.from(banner + mixedHost().toString());
    expect(parseScanOutput(out, { includeLoopDevices: false, nonce: NONCE }).drives).toHaveLength(9);
    expect(parseScanOutput(out, { includeLoopDevices: false }).drives).toHaveLength(0);
  });

  it("warns when the output stops before the end frame", () => {
    const text = mixedHost().toString();
    const cut = text.slice(0, text.indexOf("dev nvme0n1"));
    const { drives, warnings } = parseScanOutput(Buffer.from(cut), { includeLoopDevices: false });
    expect(warnings).toContain("scan output ended early (no end frame); drives may be missing");
    expect(byName(drives).get("nvme0n1")!.inUse).toEqual({ reason: "not probed by the scan" });
  });

  it("returns no drives and a warning when lsblk failed or the script never ran", () => {
    const failed = frame([["lsblk mountpoint 1"], ["stderr lsblk mountpoint", "lsblk: unknown column: PATH"]]);
    expect(parseScanOutput(failed, { includeLoopDevices: false })).toEqual({ drives: [], warnings: ["lsblk failed: lsblk: unknown column: PATH"] });
    expect(parseScanOutput(Buffer.from("sh: 1: Syntax error"), { includeLoopDevices: false }).drives).toEqual([]);
  });

  it("gives drives sharing a serial distinct identities", () => {
    const twin = (name: string) => ({ name, kname: name, type: "disk", size: 1000, tran: "usb", serial: "0123456789" });
    const out = frame([["lsblk mountpoints 0", JSON.stringify({ blockdevices: [twin("sdx"), twin("sdy")] })], ...device("sdx"), ...device("sdy")]);
    const { drives, warnings } = parseScanOutput(out, { includeLoopDevices: false });
    expect(drives.map((x) => x.identityKey)).toEqual(["dev:sdx", "dev:sdy"]);
    expect(warnings).toHaveLength(2);
  });
});
