// Pure scaling and path code for the drawer's small line charts (no DOM): samples in, SVG path data out.
// A missing value (null) breaks the line instead of drawing a false zero.

/** A step of 1, 2 or 5 × 10^n, at least `raw`. */
export function niceStep(raw) {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const exp = Math.floor(Math.log10(raw));
  const base = 10 ** exp;
  for (const m of [1, 2, 5, 10]) if (m * base >= raw - 1e-9 * base) return m * base;
  return 10 * base;
}

/**
 * A rounded value range that holds [min, max], split into about `ticks` steps.
 * zero: start at 0 when all values are positive (MB/s).
 */
export function niceExtent(min, max, { zero = false, ticks = 4 } = {}) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { lo: 0, hi: 1, step: 1 };
  let lo = zero && min > 0 ? 0 : min;
  let hi = max;
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
    if (zero && min >= 0 && lo < 0) lo = 0;
  }
  const step = niceStep((hi - lo) / ticks);
  return { lo: Math.floor(lo / step) * step, hi: Math.ceil(hi / step) * step, step };
}

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps to the middle of the range. */
export function scaleLinear(d0, d1, r0, r1) {
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

const round1 = (n) => Math.round(n * 10) / 10;

/**
 * box: {width, height, left, right, top, bottom} (margins inside the SVG's viewBox).
 * Returns the path data ("" without values), the value range, the time range (ms) and tick values.
 */
export function seriesPath(samples, key, box, { zero = false } = {}) {
  const pts = (Array.isArray(samples) ? samples : [])
    .map((s) => ({ t: Date.parse(s?.at), v: s?.[key] == null ? null : Number(s[key]) }))
    .filter((p) => Number.isFinite(p.t))
    .sort((a, b) => a.t - b.t);
  const values = pts.map((p) => p.v).filter((v) => v != null && Number.isFinite(v));
  if (values.length === 0) return { d: "", lo: null, hi: null, t0: null, t1: null, ticks: [], count: 0, last: null };
  const { lo, hi, step } = niceExtent(Math.min(...values), Math.max(...values), { zero });
  const t0 = pts[0].t;
  const t1 = pts[pts.length - 1].t;
  const x = scaleLinear(t0, t1, box.left, box.width - box.right);
  const y = scaleLinear(lo, hi, box.height - box.bottom, box.top);
  let d = "";
  let pen = false;
  for (const p of pts) {
    if (p.v == null || !Number.isFinite(p.v)) {
      pen = false;
      continue;
    }
    const seg = `${round1(x(p.t))},${round1(y(p.v))}`;
    d += `${d ? " " : ""}${pen ? "L" : "M"}${seg}`;
    pen = true;
  }
  // A lone point gets a zero-length segment so a round line cap shows it as a dot.
  d = d.replace(/M([\d.-]+,[\d.-]+)(?= M|$)/g, "M$1 L$1");
  const ticks = [];
  for (let v = lo; v <= hi + step / 2; v += step) ticks.push({ value: round1(v), y: round1(y(v)) });
  const last = [...pts].reverse().find((p) => p.v != null && Number.isFinite(p.v))?.v ?? null;
  return { d, lo, hi, t0, t1, ticks, count: values.length, last };
}
