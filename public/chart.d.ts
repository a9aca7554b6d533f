// Types for public/chart.js (plain browser ESM, imported by the unit tests).

export interface ChartSample {
  at: string;
  temperatureC?: number | null;
  mbps?: number | null;
  percent?: number | null;
}

export interface ChartBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface SeriesPath {
  d: string;
  lo: number | null;
  hi: number | null;
  t0: number | null;
  t1: number | null;
  ticks: { value: number; y: number }[];
  count: number;
  last: number | null;
}

export function niceStep(raw: number): number;
export function niceExtent(min: number, max: number, opts?: { zero?: boolean; ticks?: number }): { lo: number; hi: number; step: number };
export function scaleLinear(d0: number, d1: number, r0: number, r1: number): (v: number) => number;
export function seriesPath(samples: ChartSample[] | null | undefined, key: string, box: ChartBox, opts?: { zero?: boolean }): SeriesPath;
