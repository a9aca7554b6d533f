// Sizes, durations and times as the printed report shows them.
import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, formatTime } from "../src/reports/format.js";

describe("report formatting", () => {
  it("prints sizes in decimal units, as drive labels do", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(4_000_787_030_016)).toBe("4.0 TB");
    expect(formatBytes(16_000_900_661_248)).toBe("16.0 TB");
    expect(formatBytes(250_059_350_016)).toBe("250 GB");
    expect(formatBytes(1000)).toBe("1.0 kB");
    expect(formatBytes(null)).toBe("—");
  });

  it("prints durations with their two largest units", () => {
    expect(formatDuration(59)).toBe("59s");
    expect(formatDuration(61)).toBe("1m 1s");
    expect(formatDuration(3 * 3600 + 125)).toBe("3h 2m");
    expect(formatDuration(2 * 86_400 + 5 * 3600 + 7 * 60 + 9)).toBe("2d 5h 7m");
    expect(formatDuration(undefined)).toBe("—");
  });

  it("prints times in UTC to the second, and leaves an unreadable one as it is", () => {
    expect(formatTime("2025-01-31T14:02:11.456Z")).toBe("2025-01-31 14:02:11 UTC");
    expect(formatTime("2025-01-31T15:02:11+01:00")).toBe("2025-01-31 14:02:11 UTC");
    expect(formatTime("not a time")).toBe("not a time");
    expect(formatTime(null)).toBe("—");
  });
});
