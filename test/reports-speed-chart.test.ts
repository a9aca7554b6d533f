// The batch's speed-across-disk chart as SVG geometry: one line per drive, gaps for regions a
// drive has no figure for, a round scale above the fastest figure.
import { describe, expect, it } from "vitest";
import { speedChart } from "../src/reports/speed-chart.js";

describe("speedChart", () => {
  it("has nothing to draw without a single figure", () => {
    expect(speedChart([])).toBeNull();
    expect(speedChart([{ label: "sdb", values: [null, null], flagged: false }])).toBeNull();
  });

  it("scales to a round maximum above the fastest figure and places regions at their middles", () => {
    const chart = speedChart([
      { label: "sdb", values: [190, 180, 150, 100], flagged: false },
      { label: "sdc", values: [120, null, 90, 60], flagged: true },
    ])!;
    expect(chart.plot).toEqual({ left: 48, top: 12, right: 550, bottom: 230 });
    expect(chart.yTicks.map((t) => t.label)).toEqual(["0", "40", "80", "120", "160", "200"]);
    expect(chart.yTicks[0]!.y).toBe(230);
    expect(chart.yTicks[5]!.y).toBe(12);
    const [a, b] = chart.lines;
    expect(a!.points.split(" ")).toHaveLength(4);
    expect(a!.points.split(" ")[0]).toBe("110.8,22.9"); // x: 48 + 0.125 * 502; y: 230 - 190/200 * 218
    expect(b).toMatchObject({ label: "sdc", flagged: true });
    expect(b!.points.split(" ")).toHaveLength(3); // the region without a figure is a gap
    expect(a!.color).not.toBe(b!.color);
    expect(chart.xTicks.map((t) => t.label)).toEqual(["0 %", "25 %", "50 %", "75 %", "100 %"]);
  });
});
