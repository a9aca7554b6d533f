// The self-test log and status from smartctl's three shapes: a real ATA capture from ../shared
// (a drive whose extended tests ended in read failures), and the NVMe and SCSI shapes as smartctl
// documents them.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { selfTestLogOf, selfTestStatusOf } from "../src/smart/selftest-log.js";
import type { RawSmartctl } from "../src/smart/raw.js";
import { sharedPath } from "./helpers/shared.js";

const dir = sharedPath("fixtures/smartctl/scrutiny");

describe.skipIf(!dir)("ATA, from a real capture", () => {
  const raw = JSON.parse(readFileSync(path.join(dir ?? "", "smart-fail2.json"), "utf8")) as RawSmartctl;

  it("reads every entry, newest first, with the read failures of the extended tests as failed", () => {
    const log = selfTestLogOf(raw, "ATA");
    expect(log).toHaveLength(21);
    expect(log[0]).toEqual({ kind: "short", result: "passed", text: "Short offline: Completed without error", hours: 42 });
    const failed = log.filter((e) => e.result === "failed");
    expect(failed).toHaveLength(3);
    for (const e of failed) expect(e).toMatchObject({ kind: "extended", text: expect.stringContaining("read failure") });
    expect(log.filter((e) => e.result === "passed" && e.kind === "short")).toHaveLength(18);
  });

  it("reads the status byte and the drive's polling minutes", () => {
    expect(selfTestStatusOf(raw, "ATA", selfTestLogOf(raw, "ATA"))).toEqual({
      supported: true, unsupportedReason: null, inProgress: false, remainingPercent: null,
      text: "completed without error", pollingMinutes: { short: 1, extended: 79 },
    });
  });

  it("shows a test in progress from the upper nibble 15, with the percent left from the lower one", () => {
    const running = { ...raw, ata_smart_data: { ...raw.ata_smart_data, self_test: { status: { value: 0xf3, string: "in progress, 30% remaining" } } } } as RawSmartctl;
    expect(selfTestStatusOf(running, "ATA", [])).toMatchObject({ inProgress: true, remainingPercent: 30 });
  });
});

describe("NVMe", () => {
  const raw = {
    smartctl: { version: [7, 4] },
    nvme_self_test_log: {
      current_self_test_operation: { value: 2, string: "Extended self-test in progress" },
      current_self_test_completion_percent: 40,
      table: [
        { self_test_code: { value: 1, string: "Short" }, self_test_result: { value: 0, string: "Completed without error" }, power_on_hours: 900 },
        { self_test_code: { value: 2, string: "Extended" }, self_test_result: { value: 7, string: "Completed: failed segments" }, power_on_hours: 800 },
        { self_test_code: { value: 1, string: "Short" }, self_test_result: { value: 15, string: "Unused" }, power_on_hours: 0 },
      ],
    },
  } as unknown as RawSmartctl;

  it("leaves out unused entries and maps the result codes", () => {
    expect(selfTestLogOf(raw, "NVMe").map((e) => [e.kind, e.result, e.hours])).toEqual([["short", "passed", 900], ["extended", "failed", 800]]);
  });

  it("reports a running test and what is left of it", () => {
    expect(selfTestStatusOf(raw, "NVMe", [])).toMatchObject({ supported: true, inProgress: true, remainingPercent: 60 });
  });

  it("says a smartctl older than 7.4 cannot run NVMe self-tests", () => {
    const old = { smartctl: { version: [7, 2] } } as unknown as RawSmartctl;
    expect(selfTestStatusOf(old, "NVMe", [])).toMatchObject({ supported: false, unsupportedReason: expect.stringContaining("7.2") });
  });
});

describe("SCSI", () => {
  it("reads the numbered entries and takes the extended test's minutes from its seconds", () => {
    const raw = {
      scsi_extended_self_test_seconds: 3000,
      scsi_self_test_0: { code: { value: 2, string: "Background long" }, result: { value: 0, string: "Completed" }, power_on_time: { hours: 120 } },
      scsi_self_test_1: { code: { value: 1, string: "Background short" }, result: { value: 3, string: "Failed in segment" }, power_on_time: { hours: 100 } },
    } as unknown as RawSmartctl;
    const log = selfTestLogOf(raw, "SCSI");
    expect(log.map((e) => [e.kind, e.result, e.hours])).toEqual([["extended", "passed", 120], ["short", "failed", 100]]);
    expect(selfTestStatusOf(raw, "SCSI", log)).toMatchObject({ inProgress: false, text: "Background long: Completed", pollingMinutes: { extended: 50 } });
  });
});
