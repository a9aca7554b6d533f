// The speed-across-disk chart of a batch as SVG geometry (the template draws it, so the batch page
// and the printed report need no script): one line per drive, MB/s over the position on the disk.
// Pure.

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** Drawn thicker and dashed: a drive flagged slow. */
  flagged: boolean;
}

export interface SpeedChart {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  lines: { label: string; points: string; color: string; flagged: boolean; legendY: number }[];
  yTicks: { y: number; label: string }[];
  xTicks: { x: number; label: string }[];
}

/** Distinct on white and in greyscale print, in order of use. */
const PALETTE = ["#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#bc4c00", "#0a7b83", "#57606a"];

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v)!;
}

export function speedChart(series: readonly ChartSeries[], width = 720, height = 260): SpeedChart | null {
  const all = series.flatMap((s) => s.values).filter((v): v is number => typeof v === "number");
  if (all.length === 0) return null;
  const plot = { left: 48, top: 12, right: width - 170, bottom: height - 30 };
  const max = niceMax(Math.max(...all) * 1.05);
  const regions = Math.max(...series.map((s) => s.values.length));
  const x = (k: number) => plot.left + ((k + 0.5) / regions) * (plot.right - plot.left);
  const y = (v: number) => plot.bottom - (v / max) * (plot.bottom - plot.top);
  const r1 = (n: number) => Math.round(n * 10) / 10;
  return {
    width,
    height,
    plot,
    lines: series.map((s, i) => ({
      label: s.label,
      color: PALETTE[i % PALETTE.length]!,
      flagged: s.flagged,
      legendY: plot.top + 6 + i * 16,
      points: s.values.flatMap((v, k) => (v === null ? [] : [`${r1(x(k))},${r1(y(v))}`])).join(" "),
    })),
    yTicks: [0, 0.2, 0.4, 0.6, 0.8, 1].map((f) => ({ y: r1(y(f * max)), label: String(Math.round(f * max * 100) / 100) })),
    xTicks: [0, 0.25, 0.5, 0.75, 1].map((f) => ({ x: r1(plot.left + f * (plot.right - plot.left)), label: `${f * 100} %` })),
  };
}
