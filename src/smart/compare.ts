// The SMART verdict of a burn-in: the "before" and "after" snapshots compared counter by counter
// along the knowledge table. Pure.
import { movedBadly, readCounter, WATCHED, type Severity } from "./knowledge.js";
import type { SmartSnapshot } from "./model.js";

export interface SmartChange {
  /** The knowledge table's key ("ata.197") or "health" / "serial". */
  key: string;
  name: string;
  /** ATA attribute id. */
  id?: number;
  before: number | string | null;
  after: number | string | null;
  /** True when this change alone fails the drive. */
  critical: boolean;
  severity: Severity;
  /** Whether the change went the bad way (a pending count falling back to 0 did not). */
  worse: boolean;
  note?: string;
}

export interface SmartVerdict {
  status: "passed" | "failed" | "warning";
  /** Every watched counter that changed, and health or identity when they matter. */
  changes: SmartChange[];
  /** One line for the operator: what failed, or what to look at. */
  text: string;
}

const health = (p: boolean | null) => (p === null ? null : p ? "PASSED" : "FAILED");

function describe(c: SmartChange): string {
  return `${c.id !== undefined ? `${c.name} (${c.id})` : c.name} ${c.before ?? "?"} → ${c.after ?? "?"}`;
}

export function compareSnapshots(before: SmartSnapshot, after: SmartSnapshot): SmartVerdict {
  const changes: SmartChange[] = [];
  const { serial: s0 } = before.identity;
  const { serial: s1 } = after.identity;
  if (s0 !== null && s1 !== null && s0 !== s1) {
    changes.push({ key: "serial", name: "Serial number", before: s0, after: s1, critical: true, severity: "fail", worse: true,
      note: "the after snapshot is from a different drive" });
  }
  if (after.healthPassed === false) {
    changes.push({ key: "health", name: "SMART overall health", before: health(before.healthPassed), after: "FAILED",
      critical: true, severity: "fail", worse: before.healthPassed !== false });
  }
  for (const w of WATCHED) {
    if (w.protocol !== after.protocol) continue;
    const b = readCounter(before, w.source);
    const a = readCounter(after, w.source);
    if (b === null || a === null || a === b) continue;
    const worse = movedBadly(w, b, a);
    changes.push({
      key: w.key,
      name: w.name,
      ...(w.source.from === "ata" ? { id: w.source.id } : {}),
      before: b,
      after: a,
      critical: worse && w.severity === "fail",
      severity: w.severity,
      worse,
      ...(worse && w.note ? { note: w.note } : {}),
    });
  }
  const failing = changes.filter((c) => c.critical);
  if (failing.length > 0) {
    return { status: "failed", changes, text: `SMART got worse during the burn-in: ${failing.map(describe).join("; ")}` };
  }
  const warnings = changes.filter((c) => c.worse && c.severity === "warn");
  if (warnings.length > 0) {
    const notes = [...new Set(warnings.map((c) => c.note).filter(Boolean))];
    return { status: "warning", changes, text: `${warnings.map(describe).join("; ")}: ${notes.join("; ")}` };
  }
  return { status: "passed", changes, text: "no watched SMART counter got worse during the burn-in" };
}
