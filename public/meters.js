// Pure display math for the dashboard: no DOM, no clock, no fetch.
// Imported by the browser (public/app.js and friends) and by test/ui-meters.test.ts.

export const DEFAULT_PATTERNS = ["0xaa", "0x55", "0xff", "0x00"];

/** ETA and overall percent are noise before this much progress. */
export const ETA_MIN_PERCENT = 0.5;

const clampPct = (n) => {
  const v = Number(n);
  if (!Number.isFinite(v)) return 0;
  return Math.round(Math.min(100, Math.max(0, v)) * 10) / 10;
};

/**
 * One meter per pattern, each split into a write half and a verify half.
 * Pattern i (0-based) owns write phase 2i+1 and verify phase 2i+2. Phases before the
 * current one are full, the current one shows phasePct, later ones are empty.
 * A passed job shows every half full. No surface data (stage not reached or skipped) = empty.
 * @returns {{pattern: string, write: number, verify: number}[]}
 */
export function meterFills(surface, status) {
  const patterns = surface?.patterns?.length ? surface.patterns : DEFAULT_PATTERNS;
  const phase = Number(surface?.phase) || 0;
  const full = status === "passed" && surface != null;
  const fill = (p) => {
    if (full) return 100;
    if (phase <= 0) return 0;
    if (p < phase) return 100;
    if (p === phase) return clampPct(surface.phasePct);
    return 0;
  };
  return patterns.map((pattern, i) => ({ pattern, write: fill(2 * i + 1), verify: fill(2 * i + 2) }));
}

/** `Pattern 2 of 4 · Verify 0x55 · 47% within phase`, or a plain sentence outside a phase. */
export function caption(surface) {
  if (!surface) return "Surface test not started";
  const patterns = surface.patterns?.length ? surface.patterns : DEFAULT_PATTERNS;
  const phaseCount = Number(surface.phaseCount) || patterns.length * 2;
  const phase = Number(surface.phase) || 0;
  if (phase <= 0) return `Surface test not started · ${patterns.length} patterns`;
  const pct = Math.floor(clampPct(surface.phasePct));
  if (phase >= phaseCount && pct >= 100) {
    return `All ${patterns.length} patterns written and verified`;
  }
  const index = Math.ceil(phase / 2);
  const kind = surface.kind ?? (phase % 2 === 1 ? "write" : "verify");
  const pattern = surface.pattern ?? patterns[index - 1] ?? "";
  const Kind = kind.charAt(0).toUpperCase() + kind.slice(1);
  return `Pattern ${index} of ${patterns.length} · ${Kind} ${pattern} · ${pct}% within phase`;
}

/** `2d 4h`, `3h 12m`, `12m 05s`, `42s`; `—` when unknown. */
export function formatDuration(seconds) {
  const s = Number(seconds);
  if (seconds == null || !Number.isFinite(s) || s < 0) return "—";
  const t = Math.round(s);
  const d = Math.floor(t / 86400);
  const h = Math.floor((t % 86400) / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}

/** Remaining time, or "" (hidden) while progress is below 0.5 % or the estimate is missing. */
export function formatEta(seconds, percent) {
  const pct = Number(percent);
  if (!Number.isFinite(pct) || pct < ETA_MIN_PERCENT) return "";
  if (seconds == null || !Number.isFinite(Number(seconds)) || Number(seconds) < 0) return "";
  return formatDuration(seconds);
}

const UNITS = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];

/** Decimal units with three significant digits, as drive vendors print them: `4 TB`, `1.92 TB`, `500 GB`. */
export function formatBytes(n) {
  const bytes = Number(n);
  if (n == null || !Number.isFinite(bytes) || bytes < 0) return "—";
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  let unit = 0;
  let value = bytes;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  let rounded = Number(value.toPrecision(3));
  if (rounded >= 1000 && unit < UNITS.length - 1) {
    rounded = Number((rounded / 1000).toPrecision(3));
    unit += 1;
  }
  return `${rounded} ${UNITS[unit]}`;
}

/** Seconds each pattern's write and verify phase took (null while unfinished). */
export function patternDurations(surface) {
  const patterns = surface?.patterns?.length ? surface.patterns : DEFAULT_PATTERNS;
  const secs = Array.isArray(surface?.phaseSeconds) ? surface.phaseSeconds : [];
  return patterns.map((pattern, i) => {
    const write = secs[2 * i] ?? null;
    const verify = secs[2 * i + 1] ?? null;
    const total = write != null && verify != null ? write + verify : null;
    return { pattern, write, verify, total };
  });
}
