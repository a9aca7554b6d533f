// What one snapshot says on its own, before any comparison: health failing, watched counters that
// are already non-zero, the exit-status bits about the drive. precheck and the report use it.
import { counterLabel, readCounter, WATCHED, type Severity } from "./knowledge.js";
import type { SmartSnapshot } from "./model.js";

export interface SmartFinding {
  key: string;
  label: string;
  value: number | string;
  severity: Severity;
}

/** Findings, most severe first. A drive with SMART health FAILED always has a "fail" finding. */
export function assessSnapshot(s: SmartSnapshot): SmartFinding[] {
  const out: SmartFinding[] = [];
  if (s.healthPassed === false || s.exit.flags.diskFailing) {
    out.push({ key: "health", label: "SMART overall health", value: "FAILED", severity: "fail" });
  }
  for (const w of WATCHED) {
    if (w.protocol !== s.protocol || w.severity === "info") continue;
    const v = readCounter(s, w.source);
    if (v !== null && v > 0) out.push({ key: w.key, label: counterLabel(w), value: v, severity: w.severity });
  }
  if (s.exit.flags.prefailBelowThreshold) {
    out.push({ key: "exit.prefail", label: "Prefail attributes at or below threshold", value: "now", severity: "warn" });
  }
  const rank: Record<Severity, number> = { fail: 0, warn: 1, info: 2 };
  return out.sort((a, b) => rank[a.severity] - rank[b.severity]);
}

/** "Current_Pending_Sector (197) = 8; Grown defect list = 56". */
export function findingsText(findings: SmartFinding[]): string {
  return findings.map((f) => `${f.label} = ${f.value}`).join("; ");
}
