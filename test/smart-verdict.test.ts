// Before/after verdicts and single-snapshot findings, on documented-schema fixtures (no drive
// hardware here) and on snapshots derived from them.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { assessSnapshot } from "../src/smart/assess.js";
import { compareSnapshots } from "../src/smart/compare.js";
import { parseSmartctl } from "../src/smart/parse.js";
import type { SmartSnapshot } from "../src/smart/model.js";

function raw(name: string): any {
  return JSON.parse(readFileSync(new URL(`./fixtures/smart/${name}-documented-schema.json`, import.meta.url), "utf8"));
}

function snap(input: unknown): SmartSnapshot {
  const r = parseSmartctl(typeof input === "string" ? raw(input) : input);
  if (!r.ok) throw new Error(r.reason);
  return r.snapshot;
}

function withAttr(name: string, id: number, value: number): SmartSnapshot {
  const j = raw(name);
  j.ata_smart_attributes.table.find((a: any) => a.id === id).raw.value = value;
  return snap(j);
}

describe("compareSnapshots", () => {
  it("passes a drive whose watched counters did not move", () => {
    const v = compareSnapshots(snap("ata-healthy"), snap("ata-healthy"));
    expect(v).toEqual({ status: "passed", changes: [], text: expect.stringMatching(/no watched SMART counter got worse/) });
  });

  it("fails on grown pending sectors and lists the attribute before → after", () => {
    const v = compareSnapshots(snap("ata-healthy"), snap("ata-pending-grown"));
    expect(v.status).toBe("failed");
    expect(v.changes).toEqual([
      { key: "ata.197", name: "Current_Pending_Sector", id: 197, before: 0, after: 8, critical: true, severity: "fail", worse: true },
    ]);
    expect(v.text).toContain("Current_Pending_Sector (197) 0 → 8");
  });

  it.each([
    [5, "Reallocated_Sector_Ct"],
    [187, "Reported_Uncorrect"],
    [198, "Offline_Uncorrectable"],
  ])("fails on any growth of attribute %i (%s)", (id, name) => {
    const v = compareSnapshots(snap("ata-healthy"), withAttr("ata-healthy", id, 1));
    expect(v.status).toBe("failed");
    expect(v.changes).toEqual([expect.objectContaining({ id, name, before: 0, after: 1, critical: true })]);
  });

  it("passes with a warning naming the cable when only CRC errors (199) grew", () => {
    const v = compareSnapshots(snap("ata-healthy"), snap("ata-crc-grown"));
    expect(v.status).toBe("warning");
    expect(v.changes).toEqual([expect.objectContaining({ id: 199, before: 0, after: 12, critical: false, severity: "warn" })]);
    expect(v.text).toMatch(/UDMA_CRC_Error_Count \(199\) 0 → 12: .*cable/);
    expect(v.text).toMatch(/not a drive failure/);
  });

  it("does not fail a pending count that fell back to zero, but lists it", () => {
    const v = compareSnapshots(snap("ata-pending-grown"), snap("ata-healthy"));
    expect(v.status).toBe("passed");
    expect(v.changes).toEqual([expect.objectContaining({ id: 197, before: 8, after: 0, critical: false, worse: false })]);
  });

  it("fails when SMART health reads FAILED after the run", () => {
    const after = raw("ata-healthy");
    after.smart_status.passed = false;
    const v = compareSnapshots(snap("ata-healthy"), snap(after));
    expect(v.status).toBe("failed");
    expect(v.changes[0]).toMatchObject({ key: "health", before: "PASSED", after: "FAILED", critical: true });
  });

  it("fails on NVMe media errors and on a new critical warning bit", () => {
    const media = compareSnapshots(snap("nvme-healthy"), snap("nvme-media-errors"));
    expect(media.status).toBe("failed");
    expect(media.changes.find((c) => c.critical)).toMatchObject({ name: "Media and data integrity errors", before: 0, after: 3 });
    const warn = raw("nvme-healthy");
    warn.nvme_smart_health_information_log.critical_warning = 4;
    const w = compareSnapshots(snap("nvme-healthy"), snap(warn));
    expect(w.changes.find((c) => c.key === "nvme.critical_warning")).toMatchObject({ before: 0, after: 4, critical: true });
  });

  it("only lists NVMe wear that grew during the run, without failing the drive", () => {
    const worn = raw("nvme-healthy");
    worn.nvme_smart_health_information_log.percentage_used = 2;
    const v = compareSnapshots(snap("nvme-healthy"), snap(worn));
    expect(v.status).toBe("passed");
    expect(v.changes).toEqual([expect.objectContaining({ key: "nvme.percentage_used", before: 1, after: 2, critical: false, severity: "info" })]);
  });

  it("fails on SAS grown defects and uncorrected errors, each listed", () => {
    const v = compareSnapshots(snap("scsi-healthy"), snap("scsi-grown-defects"));
    expect(v.status).toBe("failed");
    expect(v.changes.map((c) => [c.name, c.before, c.after, c.critical])).toEqual([
      ["Grown defect list", 0, 4, true],
      ["Uncorrected read errors", 0, 1, true],
    ]);
  });

  it("refuses to compare two different drives", () => {
    const other = raw("ata-healthy");
    other.serial_number = "SOMEONE-ELSE";
    const v = compareSnapshots(snap("ata-healthy"), snap(other));
    expect(v.status).toBe("failed");
    expect(v.changes[0]).toMatchObject({ key: "serial", before: "KILN-ATA-0001", after: "SOMEONE-ELSE" });
  });
});

describe("assessSnapshot", () => {
  it("finds nothing on a healthy drive", () => {
    expect(assessSnapshot(snap("ata-healthy"))).toEqual([]);
  });

  it("puts health FAILED first on a failing drive, then the non-zero critical counters", () => {
    const f = assessSnapshot(snap("ata-failing"));
    expect(f[0]).toMatchObject({ key: "health", severity: "fail" });
    expect(f.map((x) => x.label)).toEqual(expect.arrayContaining(["Reallocated_Sector_Ct (5)", "Current_Pending_Sector (197)"]));
  });

  it("calls existing CRC errors a warning, not a failure", () => {
    expect(assessSnapshot(snap("ata-crc-grown"))).toEqual([{ key: "ata.199", label: "UDMA_CRC_Error_Count (199)", value: 12, severity: "warn" }]);
  });
});
