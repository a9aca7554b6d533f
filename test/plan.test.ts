import { describe, expect, it } from "vitest";
import { etaSeconds, overallPercent } from "../src/stage-kit/plan.js";

const facts = { sizeBytes: 1e12 };

describe("stage plan", () => {
  it("weights each stage by its expected duration, ignoring skipped ones", () => {
    const pct = overallPercent(
      [
        { name: "precheck", status: "passed", percent: 100 },
        { name: "smart_short", status: "skipped", percent: 0 },
        { name: "surface_validate", status: "running", percent: 50 },
      ],
      facts,
    );
    expect(pct).toBeGreaterThan(49);
    expect(pct).toBeLessThan(51);
  });
  it("never reports 100 while a stage is still running", () => {
    expect(overallPercent([{ name: "surface_validate", status: "running", percent: 100 }], facts)).toBeLessThan(100);
    expect(overallPercent([{ name: "surface_validate", status: "passed", percent: 100 }], facts)).toBe(100);
  });
  it("hides the ETA under 0.5 %", () => {
    expect(etaSeconds(100, 0.4)).toBeNull();
    expect(etaSeconds(100, 50)).toBe(100);
  });
});
