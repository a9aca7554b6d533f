// The SMART model on fixtures written from smartctl's documented JSON schema (no drive hardware
// here); real captures are exercised by smart-conformance.test.ts.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeExitStatus } from "../src/smart/exit-status.js";
import { parseSmartctl } from "../src/smart/parse.js";
import type { SmartSnapshot } from "../src/smart/model.js";

const smartFixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/smart/${name}-documented-schema.json`, import.meta.url), "utf8");

function snap(name: string, rc: number | null = null): SmartSnapshot {
  const r = parseSmartctl(smartFixture(name), rc);
  if (!r.ok) throw new Error(`expected a snapshot from ${name}: ${r.reason}`);
  return r.snapshot;
}

describe("smartctl exit status", () => {
  it("decodes each bit of the bitmask into words", () => {
    const e = decodeExitStatus(0b1101_1000);
    expect(e.unreadable).toBe(false);
    expect(Object.entries(e.flags).filter(([, v]) => v).map(([k]) => k)).toEqual([
      "diskFailing", "prefailBelowThreshold", "errorLog", "selfTestErrors",
    ]);
    expect(e.texts).toHaveLength(4);
  });

  it("calls only bits 0 and 1 unreadable", () => {
    expect(decodeExitStatus(1).unreadable).toBe(true);
    expect(decodeExitStatus(2).unreadable).toBe(true);
    expect(decodeExitStatus(4).unreadable).toBe(false);
    expect(decodeExitStatus(4).flags.commandFailed).toBe(true);
  });
});

describe("parsing smartctl --json", () => {
  it("reads an ATA drive's identity, health, temperature and raw attribute values", () => {
    const s = snap("ata-healthy");
    expect(s.protocol).toBe("ATA");
    expect(s.identity).toEqual({
      model: "WDC WD40EFRX-68N32N0", serial: "KILN-ATA-0001", wwn: "0x50014ee0b1c2d3e4", firmware: "82.00A82",
      capacityBytes: 4000787030016, rotationRate: 5400,
    });
    expect([s.healthPassed, s.temperatureC, s.exit.code]).toEqual([true, 34, 0]);
    expect(s.attributes.find((a) => a.id === 197)).toMatchObject({ name: "Current_Pending_Sector", raw: 0 });
    expect(s.selfTest).toEqual({
      supported: true, unsupportedReason: null, inProgress: false, remainingPercent: null, text: "completed without error",
      pollingMinutes: { short: 1, extended: 2 },
    });
    expect(s.selfTestLog).toEqual([{ kind: "short", result: "passed", text: "Short offline: Completed without error", hours: 0 }]);
  });

  it("keeps a failing drive's data although smartctl exited non-zero", () => {
    const s = snap("ata-failing", 24);
    expect(s.healthPassed).toBe(false);
    expect(s.exit.flags.diskFailing).toBe(true);
    expect(s.attributes.find((a) => a.id === 5)).toMatchObject({ raw: 1200, whenFailed: "now" });
    expect(s.selfTestLog[0]).toEqual({ kind: "extended", result: "failed", text: "Extended offline: Completed: read failure", hours: 1 });
  });

  it("sees an ATA self-test in progress and how much is left", () => {
    expect(snap("ata-selftest-in-progress").selfTest).toMatchObject({ inProgress: true, remainingPercent: 90 });
  });

  it("reads NVMe health: media errors, critical warning, wear, and its self-test log", () => {
    const s = snap("nvme-media-errors");
    expect(s.protocol).toBe("NVMe");
    expect(s.nvme).toEqual({ criticalWarning: 0, mediaErrors: 3, percentageUsed: 1, availableSpare: 100, availableSpareThreshold: 10, errorLogEntries: 3 });
    expect(s.identity.rotationRate).toBeNull();
    expect(s.identity.capacityBytes).toBe(1000204886016);
    expect(s.selfTestLog).toEqual([{ kind: "short", result: "passed", text: "Short: Completed without error", hours: 9 }]);
    expect(snap("nvme-selftest-in-progress").selfTest).toMatchObject({ inProgress: true, remainingPercent: 60 });
  });

  it("knows smartctl before 7.4 cannot run NVMe self-tests", () => {
    const j = JSON.parse(smartFixture("nvme-healthy"));
    delete j.nvme_self_test_log;
    j.smartctl.version = [7, 3];
    const r = parseSmartctl(j);
    expect(r.ok && r.snapshot.selfTest).toMatchObject({ supported: false, unsupportedReason: expect.stringMatching(/smartctl 7\.3 .*7\.4/) });
    expect(snap("nvme-healthy").selfTest.supported).toBe(true);
  });

  it("reads a SAS drive's grown defects, uncorrected errors and self-test log", () => {
    const s = snap("scsi-grown-defects");
    expect(s.protocol).toBe("SCSI");
    expect(s.identity.model).toBe("SEAGATE ST4000NM0023");
    expect(s.identity.firmware).toBe("0004");
    expect(s.scsi).toEqual({ grownDefects: 4, uncorrectedRead: 1, uncorrectedWrite: 0, uncorrectedVerify: 0 });
    expect(s.selfTestLog[0]).toMatchObject({ kind: "short", result: "passed" });
    expect(s.selfTest.pollingMinutes.extended).toBe(540);
  });

  it("gives a reason instead of a snapshot for a USB bridge smartctl cannot see through", () => {
    const r = parseSmartctl(smartFixture("usb-bridge-no-smart"), 1);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/Unknown USB bridge/);
  });

  it("never throws on output that is not smartctl JSON", () => {
    for (const input of ["", "not json", "[]", "null", "42", '{"device":{"protocol":"Tape"}}', "{}", Buffer.from("\u0000")]) {
      const r = parseSmartctl(input, 0);
      expect(r.ok, String(input)).toBe(false);
      if (!r.ok) expect(r.reason.length).toBeGreaterThan(5);
    }
  });

  it("says SMART is unsupported when the device says so", () => {
    const j = JSON.parse(smartFixture("ata-healthy"));
    j.smart_support = { available: false };
    const r = parseSmartctl(j, 4);
    expect(r.ok ? "ok" : r.reason).toBe("SMART is not supported by the device");
  });
});
