// What the drawer and the report show of a job's SMART: the before/after table (every watched
// counter of the drive's protocol, plus health, temperature and power-on hours) and the verdict.
import type { Db } from "../db/open.js";
import { compareSnapshots, type SmartVerdict } from "./compare.js";
import { readCounter, WATCHED, type Severity } from "./knowledge.js";
import type { SmartSnapshot } from "./model.js";
import { latestSnapshot } from "./store.js";

export interface SmartRow {
  key: string;
  name: string;
  id?: number;
  before: number | string | null;
  after: number | string | null;
  changed: boolean;
  /** Changed the bad way (the drawer highlights these). */
  worse: boolean;
  severity: Severity;
}

export interface SmartView {
  protocol: string | null;
  beforeAt: string | null;
  afterAt: string | null;
  rows: SmartRow[];
  verdict: SmartVerdict | null;
}

const health = (s: SmartSnapshot | undefined) => (s?.healthPassed == null ? null : s.healthPassed ? "PASSED" : "FAILED");

function smartRows(before: SmartSnapshot | undefined, after: SmartSnapshot | undefined, verdict: SmartVerdict | null): SmartRow[] {
  const protocol = (after ?? before)?.protocol;
  if (!protocol) return [];
  const worse = new Set((verdict?.changes ?? []).filter((c) => c.worse).map((c) => c.key));
  const row = (key: string, name: string, b: number | string | null, a: number | string | null, severity: Severity, id?: number): SmartRow => ({
    key, name, ...(id !== undefined ? { id } : {}), before: b, after: a,
    changed: before !== undefined && after !== undefined && b !== a, worse: worse.has(key), severity,
  });
  const rows = [row("health", "SMART overall health", health(before), health(after), "fail")];
  for (const w of WATCHED) {
    if (w.protocol !== protocol) continue;
    const b = before ? readCounter(before, w.source) : null;
    const a = after ? readCounter(after, w.source) : null;
    if (b === null && a === null) continue;
    rows.push(row(w.key, w.name, b, a, w.severity, w.source.from === "ata" ? w.source.id : undefined));
  }
  rows.push(row("temperature", "Temperature (°C)", before?.temperatureC ?? null, after?.temperatureC ?? null, "info"));
  rows.push(row("power_on_hours", "Power-on hours", before?.powerOnHours ?? null, after?.powerOnHours ?? null, "info"));
  return rows;
}

export function smartView(db: Db, jobId: number): SmartView {
  const before = latestSnapshot(db, jobId, "before");
  const after = latestSnapshot(db, jobId, "after");
  const verdict = before && after ? compareSnapshots(before.snapshot, after.snapshot) : null;
  return {
    protocol: (after ?? before)?.snapshot.protocol ?? null,
    beforeAt: before?.takenAt ?? null,
    afterAt: after?.takenAt ?? null,
    rows: smartRows(before?.snapshot, after?.snapshot, verdict),
    verdict,
  };
}
