// SMART data cannot be produced by hardware here: these are documented-format smartctl fixtures.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { smartIdentity, smartStatus } from "../src/inventory/smartctl.js";

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/inventory/${name}`, import.meta.url), "utf8")) as unknown;

describe("smartctl identity", () => {
  it("reads an ATA drive's serial, model, firmware, WWN, rotation and temperature", () => {
    expect(smartIdentity(fixture("smartctl-documented-ata.json"))).toEqual({
      serial: "WD-WCC4E1234567",
      model: "WDC WD40EFRX-68N32N0",
      firmware: "82.00A82",
      wwn: "0x50014ee2b1c2d3e4",
      protocol: "ATA",
      rotationRate: 5400,
      temperatureC: 34,
    });
  });

  it("reads an NVMe drive, which reports no rotation rate", () => {
    const id = smartIdentity(fixture("smartctl-documented-nvme.json"));
    expect([id.serial, id.model, id.protocol, id.rotationRate, id.temperatureC]).toEqual([
      "S4EWNX0R123456",
      "Samsung SSD 970 EVO Plus 1TB",
      "NVMe",
      null,
      38,
    ]);
  });

  it("builds a SAS drive's model from vendor and product", () => {
    const id = smartIdentity(fixture("smartctl-documented-scsi.json"));
    expect([id.serial, id.model, id.firmware, id.protocol, id.temperatureC]).toEqual([
      "Z1Z2ABCD",
      "SEAGATE ST4000NM0023",
      "0004",
      "SCSI",
      31,
    ]);
  });
});

describe("smartctl exit status", () => {
  const ata = fixture("smartctl-documented-ata.json");

  it("counts non-zero drive-status bits with JSON as available", () => {
    expect(smartStatus(4, ata).available).toBe(true); // bit 2: some SMART command failed
    expect(smartStatus(64, ata).available).toBe(true); // bit 6: error log has entries
  });

  it("reports the device-open failure message (bit 1)", () => {
    const raw = { smartctl: { messages: [{ string: "/dev/vda: Unable to detect device type", severity: "error" }], exit_status: 1 } };
    expect(smartStatus(1, raw)).toEqual({ available: false, reason: "/dev/vda: Unable to detect device type", raw });
  });

  it("says a drive in standby was not woken", () => {
    const raw = { smartctl: { messages: [{ string: "Device is in STANDBY mode, exit(2)", severity: "information" }], exit_status: 2 } };
    expect(smartStatus(2, raw).reason).toMatch(/standby/);
  });

  it("treats a timeout and missing JSON as unavailable", () => {
    expect(smartStatus(124, null)).toEqual({ available: false, reason: "smartctl timed out" });
    expect(smartStatus(0, null).available).toBe(false);
  });

  it("reports devices without SMART support", () => {
    expect(smartStatus(0, { smart_support: { available: false } }).reason).toMatch(/not supported/);
  });
});
