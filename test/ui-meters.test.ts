import { describe, expect, it } from "vitest";
import {
  caption,
  formatBytes,
  formatDuration,
  formatEta,
  meterFills,
  patternDurations,
  type SurfaceSnapshot,
} from "../public/meters.js";

function surfaceAt(phase: number, phasePct: number, extra: Partial<SurfaceSnapshot> = {}): SurfaceSnapshot {
  const patterns = extra.patterns ?? ["0xaa", "0x55", "0xff", "0x00"];
  const index = Math.ceil(phase / 2);
  return {
    patterns,
    phase,
    phaseCount: patterns.length * 2,
    phasePct,
    kind: phase === 0 ? null : phase % 2 === 1 ? "write" : "verify",
    pattern: phase === 0 ? null : (patterns[index - 1] ?? null),
    phaseSeconds: Array.from({ length: patterns.length * 2 }, (_, i) => (i + 1 < phase ? 60 * (i + 1) : null)),
    ...extra,
  };
}

describe("meterFills", () => {
  it("fills earlier phases, shows the current phase's percent and leaves later ones empty", () => {
    const fills = meterFills(surfaceAt(4, 47), "running");
    expect(fills).toEqual([
      { pattern: "0xaa", write: 100, verify: 100 },
      { pattern: "0x55", write: 100, verify: 47 },
      { pattern: "0xff", write: 0, verify: 0 },
      { pattern: "0x00", write: 0, verify: 0 },
    ]);
  });

  it("maps odd phases to the write half of pattern ceil(phase/2)", () => {
    const fills = meterFills(surfaceAt(5, 12.5), "running");
    expect(fills[2]).toEqual({ pattern: "0xff", write: 12.5, verify: 0 });
    expect(fills[1]).toEqual({ pattern: "0x55", write: 100, verify: 100 });
  });

  it("is empty before the first phase and without surface data", () => {
    for (const fills of [meterFills(surfaceAt(0, 0), "running"), meterFills(null, "queued")]) {
      expect(fills.map((f) => [f.write, f.verify])).toEqual([[0, 0], [0, 0], [0, 0], [0, 0]]);
    }
  });

  it("fills every half once the job has passed, even if the last snapshot lagged", () => {
    const fills = meterFills(surfaceAt(8, 93), "passed");
    expect(fills.every((f) => f.write === 100 && f.verify === 100)).toBe(true);
  });

  it("keeps a failed job's meters where the test stopped", () => {
    const fills = meterFills(surfaceAt(3, 60), "failed");
    expect(fills.map((f) => [f.write, f.verify])).toEqual([[100, 100], [60, 0], [0, 0], [0, 0]]);
  });

  it("clamps out-of-range percentages", () => {
    expect(meterFills(surfaceAt(1, 140), "running")[0]?.write).toBe(100);
    expect(meterFills(surfaceAt(1, -3), "running")[0]?.write).toBe(0);
  });

  it("follows a custom pattern list", () => {
    const fills = meterFills(surfaceAt(2, 50, { patterns: ["0x00"] }), "running");
    expect(fills).toEqual([{ pattern: "0x00", write: 100, verify: 50 }]);
  });
});

describe("caption", () => {
  it("names pattern, half and the percent within the phase", () => {
    expect(caption(surfaceAt(4, 47.9))).toBe("Pattern 2 of 4 · Verify 0x55 · 47% within phase");
    expect(caption(surfaceAt(1, 3))).toBe("Pattern 1 of 4 · Write 0xaa · 3% within phase");
  });

  it("derives kind and pattern from the phase number when the snapshot omits them", () => {
    expect(caption(surfaceAt(7, 10, { kind: null, pattern: null }))).toBe("Pattern 4 of 4 · Write 0x00 · 10% within phase");
  });

  it("says when the surface test has not started or is complete", () => {
    expect(caption(null)).toBe("Surface test not started");
    expect(caption(surfaceAt(0, 0))).toBe("Surface test not started · 4 patterns");
    expect(caption(surfaceAt(8, 100))).toBe("All 4 patterns written and verified");
  });
});

describe("formatEta", () => {
  it("is hidden below half a percent of progress", () => {
    expect(formatEta(3600, 0)).toBe("");
    expect(formatEta(3600, 0.49)).toBe("");
    expect(formatEta(3600, 0.5)).toBe("1h 00m");
  });

  it("is hidden when there is no estimate", () => {
    expect(formatEta(null, 50)).toBe("");
    expect(formatEta(Number.NaN, 50)).toBe("");
  });
});

describe("formatDuration", () => {
  it("uses the two largest units", () => {
    expect(formatDuration(42)).toBe("42s");
    expect(formatDuration(12 * 60 + 5)).toBe("12m 05s");
    expect(formatDuration(3 * 3600 + 12 * 60 + 30)).toBe("3h 12m");
    expect(formatDuration(2 * 86400 + 4 * 3600 + 59)).toBe("2d 4h");
  });

  it("shows a dash for unknown durations", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(-1)).toBe("—");
  });
});

describe("formatBytes", () => {
  it("prints decimal sizes like the label on the drive", () => {
    expect(formatBytes(4_000_787_030_016)).toBe("4 TB");
    expect(formatBytes(1_920_383_410_176)).toBe("1.92 TB");
    expect(formatBytes(500_107_862_016)).toBe("500 GB");
    expect(formatBytes(18_000_207_937_536)).toBe("18 TB");
    expect(formatBytes(104_857_600)).toBe("105 MB");
    expect(formatBytes(512)).toBe("512 B");
  });

  it("moves to the next unit instead of printing 1000", () => {
    expect(formatBytes(999_999_999_999)).toBe("1 TB");
  });
});

describe("patternDurations", () => {
  it("sums write and verify only for patterns that finished both halves", () => {
    const d = patternDurations(surfaceAt(4, 10));
    expect(d[0]).toEqual({ pattern: "0xaa", write: 60, verify: 120, total: 180 });
    expect(d[1]).toEqual({ pattern: "0x55", write: 180, verify: null, total: null });
    expect(d[3]?.write).toBeNull();
  });
});
