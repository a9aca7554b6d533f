// "Is it really new?" over real captures, read in place (../shared/fixtures/smartctl and
// ../shared/fixtures/smartctl-farm, never copied): every capture gets a verdict and a reason and
// none throws; the FARM capture's 9,439 hours make a drive `used`. The `tampered` cases are
// stand-in answers built here, at test time, from those captures (SMART hours set below FARM's or
// below a self-test entry's) and named as stand-ins.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { farmNotApplicable, parseFarm, type FarmReading } from "../src/smart/farm.js";
import { newDriveVerdict } from "../src/smart/new-drive.js";
import { USAGE_SIGNS } from "../src/smart/new-drive-knowledge.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DIR = path.resolve(ROOT, "../shared/fixtures/smartctl");
const FARM = path.resolve(ROOT, "../shared/fixtures/smartctl-farm/seagate-sata-22TB-farm-smartctl-7.4.json");
const exists = existsSync(DIR) && existsSync(FARM);

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? jsonFiles(p) : f.endsWith(".json") ? [p] : [];
  });
}
const capture = (rel: string) => JSON.parse(readFileSync(path.join(DIR, rel), "utf8")) as Record<string, any>;
const farmCapture = () => JSON.parse(readFileSync(FARM, "utf8")) as Record<string, any>;
const noFarm = (raw: unknown): FarmReading => ({ available: false, reason: farmNotApplicable(raw) ?? "no FARM capture of this drive" });

/** Stand-in: a capture whose SMART power-on hours were "reset" to `hours` (attribute 9 and the summary). */
function standInWithSmartHours(raw: Record<string, any>, hours: number): Record<string, any> {
  const c = structuredClone(raw);
  c.power_on_time = { ...(c.power_on_time ?? {}), hours };
  for (const a of c.ata_smart_attributes?.table ?? []) if (a.id === 9) a.raw = { value: hours, string: String(hours) };
  return c;
}

describe.skipIf(!exists)("new-drive verdict over every real smartctl capture", () => {
  const files = exists ? jsonFiles(DIR) : [];

  it("gives each capture a verdict and a reason, none throws", () => {
    expect(files.length).toBeGreaterThan(100);
    const counts: Record<string, number> = {};
    for (const f of files) {
      const raw = JSON.parse(readFileSync(f, "utf8"));
      const v = newDriveVerdict(raw, noFarm(raw));
      expect(["new", "used", "tampered", "unknown"], f).toContain(v.status);
      expect(v.text.length, f).toBeGreaterThan(10);
      expect(v.farm.available, f).toBe(false);
      counts[v.status] = (counts[v.status] ?? 0) + 1;
    }
    // These are drives from fleets: all in service for years, none reset. None may come out `tampered`.
    expect(counts.tampered ?? 0).toBe(0);
    expect(counts.used).toBeGreaterThan(140);
  });

  it("says why a used drive is used, with the numbers", () => {
    const raw = capture("smartctl_exporter/WDC_WD20EFRX-68EUZN0_18.json");
    const v = newDriveVerdict(raw, noFarm(raw));
    expect(v.status).toBe("used");
    expect(v.text).toContain("71,605 power-on hours");
    expect(v.text).toContain("3,657 head load/unload cycles");
    expect(v.text).toContain("FARM not available: not a Seagate drive");
  });

  it("reads NVMe use: hours, GB written and endurance used", () => {
    const raw = capture("smartctl_exporter/nvme-null-Micron_7450_MTFDKCB3T8TFR-nvme6.json");
    const v = newDriveVerdict(raw, noFarm(raw));
    expect(v.status).toBe("used");
    expect(v.evidence.map((e) => e.key)).toEqual(expect.arrayContaining(["poh", "nvme.written"]));
  });

  it("calls a drive whose SMART cannot be read unknown, with the reason", () => {
    const raw = capture("scrutiny/smart-fail.json");
    const v = newDriveVerdict(raw, { available: false, reason: "not a Seagate drive (FARM is a Seagate log)" }, "no device block");
    expect(v.status).toBe("unknown");
    expect(v.text).toContain("cannot tell");
  });

  it("asks for FARM only on Seagate drives with a smartctl that has -l farm", () => {
    expect(farmNotApplicable(capture("smartctl_exporter/WDC_WD20EFRX-68EUZN0_18.json"))).toMatch(/not a Seagate/);
    expect(farmNotApplicable(capture("smartctl_exporter/sat-null-ST18000NM000J-2TV103-sda.json"))).toMatch(/smartctl 7\.3 .*7\.4 or newer/);
    const on74 = capture("smartctl_exporter/sat-null-ST18000NM000J-2TV103-sda.json");
    on74.smartctl.version = [7, 4];
    expect(farmNotApplicable(on74)).toBeNull();
    expect(farmNotApplicable(capture("smartctl_exporter/SEAGATE_ST373453LC_26.json"))).toBeNull(); // SAS Seagate (by vendor), smartctl 7.4
  });
});

describe.skipIf(!exists)("FARM", () => {
  it("reads the real FARM capture as it is: 9,439 power-on hours make the drive used", () => {
    const farm = parseFarm(readFileSync(FARM, "utf8"));
    expect(farm).toMatchObject({ available: true, facts: { powerOnHours: 9439, powerCycles: 16 } });
    // The capture holds only the FARM log: the verdict rests on FARM alone.
    const v = newDriveVerdict(farmCapture(), farm);
    expect(v.status).toBe("used");
    expect(v.text).toContain("9,439 power-on hours in FARM");
    expect(v.farm).toEqual({ available: true, powerOnHours: 9439, powerCycles: 16 });
  });

  it("says why FARM is missing when the drive gives none", () => {
    const r = parseFarm({ smartctl: { version: [7, 4], messages: [{ string: "FARM log (GP Log 0xa6) not supported for non-Seagate drives", severity: "error" }] } });
    expect(r).toEqual({ available: false, reason: "the drive gave no FARM log (FARM log (GP Log 0xa6) not supported for non-Seagate drives)" });
    expect(parseFarm("not json")).toMatchObject({ available: false });
    expect(parseFarm(null)).toMatchObject({ available: false });
  });
});

describe.skipIf(!exists)("tampered: stand-in answers built from the captures", () => {
  it("stand-in: a Seagate capture with SMART hours reset to 3, FARM still 9,439 → tampered", () => {
    const smart = standInWithSmartHours(capture("smartctl_exporter/sat-null-ST18000NM000J-2TV103-sda.json"), 3);
    const v = newDriveVerdict(smart, parseFarm(farmCapture()));
    expect(v.status).toBe("tampered");
    expect(v.text).toContain("FARM says 9,439 power-on hours but SMART says 3");
  });

  it("stand-in: a capture with SMART hours set below its self-test log's 1,708 → tampered", () => {
    const smart = standInWithSmartHours(capture("scrutiny/smart-ata.json"), 12);
    const v = newDriveVerdict(smart, noFarm(smart));
    expect(v.status).toBe("tampered");
    expect(v.contradictions[0]).toMatch(/self-test log has 21 entries from hour 1,708, but the drive says it has run 12 hours/);
  });

  it("stand-in: the same capture read with FARM a few hours ahead is not tampered (the two clocks are read apart)", () => {
    const smart = standInWithSmartHours(capture("smartctl_exporter/sat-null-ST18000NM000J-2TV103-sda.json"), 9_400);
    expect(newDriveVerdict(smart, parseFarm(farmCapture())).status).toBe("used");
  });

  it("stand-in: a capture with every usage counter at factory level is new", () => {
    const c = standInWithSmartHours(capture("smartctl_exporter/sat-null-ST18000NM000J-2TV103-sda.json"), 0);
    for (const a of c.ata_smart_attributes.table) if ([4, 12, 193, 241].includes(a.id)) a.raw = { value: 1, string: "1" };
    const v = newDriveVerdict(c, { available: false, reason: "stand-in without FARM" });
    expect(v.status).toBe("new");
    expect(v.text).toBe("new: 0 power-on hours, no sign of use; FARM not available: stand-in without FARM");
  });
});

describe("the thresholds table", () => {
  it("has one row per key, each with a bound", () => {
    const keys = USAGE_SIGNS.map((s) => s.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const s of USAGE_SIGNS) expect(s.newUpTo).toBeGreaterThanOrEqual(0);
  });
});
