import { describe, expect, it } from "vitest";
import { niceExtent, niceStep, scaleLinear, seriesPath, type ChartBox } from "../public/chart.js";

const box: ChartBox = { width: 300, height: 100, left: 30, right: 10, top: 10, bottom: 20 };
const at = (min: number) => new Date(Date.UTC(2024, 0, 1, 12, min)).toISOString();

function coords(d: string): [number, number][] {
  return [...d.matchAll(/[ML]([\d.-]+),([\d.-]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

describe("chart scaling", () => {
  it("rounds steps up to 1, 2 or 5 times a power of ten", () => {
    expect(niceStep(0.7)).toBe(1);
    expect(niceStep(1.3)).toBe(2);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(7)).toBe(10);
    expect(niceStep(42)).toBe(50);
    expect(niceStep(0)).toBe(1);
  });

  it("widens a range to nice bounds that hold every value", () => {
    const r = niceExtent(37, 52);
    expect(r.lo).toBeLessThanOrEqual(37);
    expect(r.hi).toBeGreaterThanOrEqual(52);
    expect(r.lo % r.step).toBe(0);
    expect(r.hi % r.step).toBe(0);
  });

  it("starts throughput at zero and gives a flat series some height", () => {
    expect(niceExtent(180, 210, { zero: true }).lo).toBe(0);
    const flat = niceExtent(40, 40);
    expect(flat.lo).toBeLessThan(40);
    expect(flat.hi).toBeGreaterThan(40);
    expect(niceExtent(0, 0, { zero: true }).lo).toBe(0);
  });

  it("maps a domain linearly and a zero-width domain to the middle", () => {
    const s = scaleLinear(0, 10, 100, 200);
    expect(s(0)).toBe(100);
    expect(s(5)).toBe(150);
    expect(s(10)).toBe(200);
    expect(scaleLinear(3, 3, 0, 50)(3)).toBe(25);
  });
});

describe("seriesPath", () => {
  it("spans the plot area from the first to the last sample, higher values drawn higher", () => {
    const samples = [
      { at: at(0), temperatureC: 35 },
      { at: at(30), temperatureC: 45 },
      { at: at(60), temperatureC: 40 },
    ];
    const s = seriesPath(samples, "temperatureC", box);
    const pts = coords(s.d);
    expect(pts).toHaveLength(3);
    expect(pts[0]![0]).toBe(30);
    expect(pts[2]![0]).toBe(290);
    expect(pts[1]![0]).toBe(160);
    expect(pts[1]![1]).toBeLessThan(pts[0]![1]);
    for (const [, y] of pts) {
      expect(y).toBeGreaterThanOrEqual(10);
      expect(y).toBeLessThanOrEqual(80);
    }
    expect(s.count).toBe(3);
    expect(s.last).toBe(40);
    expect(s.t1! - s.t0!).toBe(60 * 60_000);
  });

  it("breaks the line where a value is missing instead of drawing a zero", () => {
    const samples = [
      { at: at(0), mbps: 200 },
      { at: at(1), mbps: 190 },
      { at: at(2), mbps: null },
      { at: at(3), mbps: 180 },
      { at: at(4), mbps: 170 },
    ];
    const s = seriesPath(samples, "mbps", box, { zero: true });
    expect(s.d.match(/M/g)).toHaveLength(2);
    expect(coords(s.d)).toHaveLength(4);
    expect(s.lo).toBe(0);
  });

  it("sorts samples by time and ignores ones without a valid time", () => {
    const samples = [
      { at: at(10), temperatureC: 50 },
      { at: "not a date", temperatureC: 99 },
      { at: at(0), temperatureC: 30 },
    ];
    const s = seriesPath(samples, "temperatureC", box);
    const pts = coords(s.d);
    expect(pts).toHaveLength(2);
    expect(pts[0]![0]).toBeLessThan(pts[1]![0]);
    expect(pts[0]![1]).toBeGreaterThan(pts[1]![1]);
    expect(s.hi).toBeLessThan(99);
  });

  it("draws a lone point as a dot and returns nothing for no values", () => {
    const one = seriesPath([{ at: at(0), temperatureC: 41 }], "temperatureC", box);
    expect(one.d).toMatch(/^M([\d.]+),([\d.]+) L\1,\2$/);
    expect(seriesPath([], "temperatureC", box).d).toBe("");
    expect(seriesPath([{ at: at(0), mbps: null }], "mbps", box).count).toBe(0);
    expect(seriesPath(null, "mbps", box).ticks).toEqual([]);
  });

  it("gives ticks from the low to the high bound, evenly spaced", () => {
    const s = seriesPath([{ at: at(0), temperatureC: 33 }, { at: at(5), temperatureC: 51 }], "temperatureC", box);
    expect(s.ticks[0]!.value).toBe(s.lo);
    expect(s.ticks.at(-1)!.value).toBe(s.hi);
    expect(s.ticks[0]!.y).toBe(80);
    expect(s.ticks.at(-1)!.y).toBe(10);
  });
});
