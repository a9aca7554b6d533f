// Conformance on real `smartctl --json` captures from real drives (../shared/fixtures/smartctl,
// see its SOURCES.md), read in place and never copied: every file gives a snapshot or a clear
// reason, never a throw, and the notable ones give the verdicts they should.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { assessSnapshot } from "../src/smart/assess.js";
import { compareSnapshots } from "../src/smart/compare.js";
import { parseSmartctl } from "../src/smart/parse.js";
import type { SmartSnapshot } from "../src/smart/model.js";
import { sharedPath } from "./helpers/shared.js";

// Skipped locally when ../shared is missing; under CI=true that is a failure with a clear message.
const DIR = sharedPath("fixtures/smartctl") ?? "";
const exists = DIR !== "";

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? jsonFiles(p) : f.endsWith(".json") ? [p] : [];
  });
}

const read = (rel: string) => readFileSync(path.join(DIR, rel), "utf8");

function snap(rel: string): SmartSnapshot {
  const r = parseSmartctl(read(rel));
  if (!r.ok) throw new Error(`${rel}: ${r.reason}`);
  return r.snapshot;
}

/** The same drive as it would have read before the counters grew. */
function zeroed(s: SmartSnapshot, keys: { ata?: number[]; nvme?: (keyof NonNullable<SmartSnapshot["nvme"]>)[]; scsi?: (keyof NonNullable<SmartSnapshot["scsi"]>)[] }): SmartSnapshot {
  const c: SmartSnapshot = structuredClone(s);
  c.healthPassed = true;
  for (const a of c.attributes) if (keys.ata?.includes(a.id)) a.raw = 0;
  for (const k of keys.nvme ?? []) if (c.nvme) c.nvme[k] = 0;
  for (const k of keys.scsi ?? []) if (c.scsi) c.scsi[k] = 0;
  return c;
}

describe.skipIf(!exists)("real smartctl captures (../shared/fixtures/smartctl)", () => {
  const files = exists ? jsonFiles(DIR) : [];

  it("gives every capture a snapshot or a clear reason, never a throw", () => {
    expect(files.length).toBeGreaterThanOrEqual(100);
    const byProtocol: Record<string, number> = {};
    const unsupported: string[] = [];
    for (const f of files) {
      const r = parseSmartctl(readFileSync(f, "utf8"));
      if (r.ok) {
        byProtocol[r.snapshot.protocol] = (byProtocol[r.snapshot.protocol] ?? 0) + 1;
        expect(["ATA", "NVMe", "SCSI"]).toContain(r.snapshot.protocol);
        expect(() => compareSnapshots(r.snapshot, r.snapshot)).not.toThrow();
      } else {
        expect(r.reason, f).toMatch(/\w{3,}/);
        unsupported.push(path.relative(DIR, f));
      }
    }
    expect(byProtocol.ATA).toBeGreaterThan(90);
    expect(byProtocol.NVMe).toBeGreaterThan(40);
    expect(byProtocol.SCSI).toBeGreaterThan(4);
    expect(unsupported.length).toBeLessThan(files.length / 20);
  });

  it("explains why a capture of a device that would not open has no snapshot", () => {
    const r = parseSmartctl(read("scrutiny/smart-fail.json"));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/Open failed/);
  });

  it("reads a failing ATA drive (exit 216) as health FAILED with its grown counters", () => {
    const s = snap("scrutiny/smart-fail2.json");
    expect(s.exit.code).toBe(216);
    expect(s.healthPassed).toBe(false);
    expect(assessSnapshot(s)[0]).toMatchObject({ key: "health", severity: "fail" });
    const v = compareSnapshots(zeroed(s, { ata: [5, 197] }), s);
    expect(v.status).toBe("failed");
    expect(v.changes.filter((c) => c.critical).map((c) => [c.key, c.before, c.after])).toEqual([
      ["health", "PASSED", "FAILED"], ["ata.5", 0, 1975], ["ata.197", 0, 8],
    ]);
  });

  it("sees a self-test in progress (status 241, 10 % remaining)", () => {
    const s = snap("scrutiny/smart-ata.json");
    expect(s.selfTest).toMatchObject({ inProgress: true, remainingPercent: 10 });
    expect(s.selfTest.pollingMinutes).toEqual({ short: 2, extended: 1479 });
  });

  it("fails an NVMe drive whose media errors grew", () => {
    const s = snap("scrutiny/smart-nvme-failed.json");
    expect(s.nvme?.mediaErrors).toBe(7);
    const v = compareSnapshots(zeroed(s, { nvme: ["mediaErrors"] }), s);
    expect(v.status).toBe("failed");
    expect(v.text).toContain("Media and data integrity errors 0 → 7");
  });

  it("fails a SAS drive whose grown defect list grew", () => {
    const s = snap("scrutiny/smart-scsi.json");
    expect(s.scsi?.grownDefects).toBe(56);
    expect(compareSnapshots(zeroed(s, { scsi: ["grownDefects"] }), s).changes).toEqual([
      expect.objectContaining({ name: "Grown defect list", before: 0, after: 56, critical: true }),
    ]);
  });

  it("fails a SAS drive on grown defects and uncorrected errors together", () => {
    const s = snap("smartctl_exporter/SEAGATE_ST373453LC_26.json");
    const v = compareSnapshots(zeroed(s, { scsi: ["grownDefects", "uncorrectedRead"] }), s);
    expect(v.status).toBe("failed");
    expect(v.changes.filter((c) => c.critical).map((c) => c.name)).toEqual(["Grown defect list", "Uncorrected read errors"]);
  });

  it("calls CRC errors on a real capture a cable warning, not a failure", () => {
    const s = snap("smartctl_exporter/HGST_HUS724020ALE640_28.json");
    const v = compareSnapshots(zeroed(s, { ata: [199] }), s);
    expect(v.status).toBe("warning");
    expect(v.text).toMatch(/cable/);
  });
});
