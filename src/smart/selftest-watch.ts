// Following a self-test Kiln started, from successive readings of the drive. Pure: the state is
// plain data saved on the stage row, so a restarted Kiln picks up the same test. A test is done
// when the self-test log shows a new entry for it, never because a timer ran out.
import type { SelfTestEntry, SelfTestKind, SelfTestResult, SmartSnapshot } from "./model.js";

export interface SelfTestWatch {
  kind: "short" | "extended";
  /** When Kiln started the test (ms since the epoch). */
  startedAt: number;
  /** The self-test log just before the start, newest first. */
  logBefore: SelfTestEntry[];
  /** Readings that showed the test running. */
  sawRunning: boolean;
  /** Readings since the start with neither a running test nor a new log entry. */
  quietReadings: number;
}

export type SelfTestObservation =
  | { state: "running"; percent: number | null; remainingPercent: number | null }
  | { state: "done"; result: SelfTestResult; text: string; entry: SelfTestEntry | null }
  | { state: "waiting"; quietReadings: number };

const same = (a: SelfTestEntry, b: SelfTestEntry | undefined) =>
  !!b && a.kind === b.kind && a.result === b.result && a.text === b.text && a.hours === b.hours;

/**
 * The entries at the head of `after` that were not in `before`: the smallest k such that the rest
 * of `after` is `before` (a log that only grows or drops its oldest entries).
 */
export function newLogEntries(before: SelfTestEntry[], after: SelfTestEntry[]): SelfTestEntry[] {
  for (let k = 0; k <= after.length; k++) {
    const rest = after.slice(k);
    if (rest.length <= before.length && rest.every((e, i) => same(e, before[i]))) return after.slice(0, k);
  }
  return after;
}

export function newWatch(kind: "short" | "extended", startedAt: number, logBefore: SelfTestEntry[]): SelfTestWatch {
  return { kind, startedAt, logBefore, sawRunning: false, quietReadings: 0 };
}

const KIND_WORD: Record<SelfTestKind, string> = {
  short: "short", extended: "extended", conveyance: "conveyance", selective: "selective", offline: "offline", other: "other",
};

export function observeSelfTest(w: SelfTestWatch, s: SmartSnapshot): { watch: SelfTestWatch; obs: SelfTestObservation } {
  const fresh = newLogEntries(w.logBefore, s.selfTestLog);
  const ours = fresh.find((e) => e.kind === w.kind);
  if (s.selfTest.inProgress || ours?.result === "in_progress") {
    const remaining = s.selfTest.remainingPercent;
    const percent = remaining === null ? null : Math.max(0, Math.min(99, 100 - remaining));
    return { watch: { ...w, sawRunning: true, quietReadings: 0 }, obs: { state: "running", percent, remainingPercent: remaining } };
  }
  if (ours) return { watch: w, obs: { state: "done", result: ours.result, text: ours.text, entry: ours } };
  if (fresh.length > 0) {
    const other = fresh[0]!;
    return {
      watch: w,
      obs: { state: "done", result: "unknown", entry: other,
        text: `the self-test log shows a ${KIND_WORD[other.kind]} test (${other.text}), not the ${w.kind} test Kiln started` },
    };
  }
  const quiet = w.quietReadings + 1;
  return { watch: { ...w, quietReadings: quiet }, obs: { state: "waiting", quietReadings: quiet } };
}
