// Pure helpers of the history page: the filter query string, which jobs may be restarted, durations.

export const HISTORY_FILTERS = ["host", "status", "from", "to", "serial"];
const RESTARTABLE = new Set(["failed", "cancelled", "unknown"]);

/** The query string ("" or "?a=b…") of the filled-in filters, in a fixed order; blanks are left out. */
export function filterQuery(values) {
  const q = new URLSearchParams();
  for (const name of HISTORY_FILTERS) {
    const v = values?.[name];
    const text = v == null ? "" : String(v).trim();
    if (text) q.set(name, text);
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** The filters read back from a query string (unknown keys ignored). */
export function filtersFrom(search) {
  const q = new URLSearchParams(search ?? "");
  const out = {};
  for (const name of HISTORY_FILTERS) out[name] = (q.get(name) ?? "").trim();
  return out;
}

export function canRestart(status) {
  return RESTARTABLE.has(status);
}

/** Seconds between two ISO times (the end defaults to nowMs), or null when either is missing. */
export function jobSeconds(startedAt, finishedAt, nowMs = Date.now()) {
  if (!startedAt) return null;
  const start = Date.parse(startedAt);
  const end = finishedAt ? Date.parse(finishedAt) : nowMs;
  if (Number.isNaN(start) || Number.isNaN(end)) return null;
  return Math.max(0, Math.round((end - start) / 1000));
}
