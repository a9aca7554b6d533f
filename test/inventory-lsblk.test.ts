import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseLsblkJson, subtree } from "../src/inventory/lsblk.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/inventory/${name}`, import.meta.url), "utf8");

describe("lsblk JSON (util-linux 2.38, typed values, MOUNTPOINTS array)", () => {
  const devices = parseLsblkJson(fixture("lsblk-documented-2.38-mixed.json"));
  const byName = new Map(devices.map((d) => [d.kname, d]));

  it("reads sizes as bytes, booleans as booleans and trims padded vendor strings", () => {
    const sdb = byName.get("sdb")!;
    expect(sdb.sizeBytes).toBe(4000787030016);
    expect(sdb.rotational).toBe(true);
    expect(sdb.vendor).toBe("SEAGATE");
    expect(sdb.transport).toBe("sas");
    expect(byName.get("sdc")!.hotplug).toBe(true);
  });

  it("turns [null] mountpoints into an empty list and keeps real ones", () => {
    expect(byName.get("sdb")!.mountpoints).toEqual([]);
    const sda = byName.get("sda")!;
    expect(sda.children.map((c) => [c.kname, c.mountpoints])).toEqual([
      ["sda1", ["/boot/efi"]],
      ["sda2", ["/"]],
    ]);
  });

  it("keeps holders nested below partitions, with their kernel names", () => {
    const names = subtree(byName.get("sdh")!).map((d) => `${d.name}/${d.kname}/${d.type}`);
    expect(names).toEqual(["sdh/sdh/disk", "sdh1/sdh1/part", "vg0-data/dm-0/lvm"]);
  });

  it("reports empty serial and WWN as null", () => {
    const sdf = byName.get("sdf")!;
    expect(sdf.serial).toBeNull();
    expect(sdf.wwn).toBeNull();
  });
});

describe("lsblk JSON (util-linux 2.33, string values, single MOUNTPOINT)", () => {
  const devices = parseLsblkJson(fixture("lsblk-documented-2.33-mountpoint.json"));

  it("reads string numbers and \"0\"/\"1\" booleans", () => {
    const sdb = devices.find((d) => d.kname === "sdb")!;
    expect(sdb.sizeBytes).toBe(4000787030016);
    expect(sdb.rotational).toBe(true);
    expect(devices.find((d) => d.kname === "sda")!.rotational).toBe(false);
  });

  it("reads the single MOUNTPOINT of partitions, including [SWAP]", () => {
    const sda = devices.find((d) => d.kname === "sda")!;
    expect(sda.children.find((c) => c.kname === "sda2")!.mountpoints).toEqual(["/"]);
    const sdg = devices.find((d) => d.kname === "sdg")!;
    expect(sdg.children[0]!.mountpoints).toEqual(["[SWAP]"]);
  });
});

describe("lsblk JSON edge cases", () => {
  it("decodes udev's \\x20 escapes in model strings", () => {
    const [d] = parseLsblkJson(JSON.stringify({ blockdevices: [{ name: "sda", type: "disk", model: "WDC\\x20WD40EFRX" }] }));
    expect(d!.model).toBe("WDC WD40EFRX");
  });

  it("rejects output without a blockdevices array", () => {
    expect(() => parseLsblkJson("{}")).toThrow(/blockdevices/);
    expect(() => parseLsblkJson("lsblk: unknown column: MOUNTPOINTS")).toThrow();
  });
});
