// A surface test's speed, from the region times the badblocks parser keeps (badblocks/progress.ts):
// per pass (one pattern written or read back), per pattern, per region of the disk, and overall.
// Pure. MB are decimal (1e6 bytes), as everywhere in Kiln's speeds.
import type { ProgressState } from "../badblocks/progress.js";
import { phaseKind, patternIndex } from "../badblocks/phases.js";
import { SPEED_REGIONS } from "../badblocks/speed-knowledge.js";

export interface PassSpeed {
  phase: number;
  pattern: string;
  kind: "write" | "verify";
  mbps: number | null;
  seconds: number;
  /** MB/s in each region, null where the pass did not time it. */
  regionMbps: (number | null)[];
}

export interface SpeedProfile {
  regions: number;
  passes: PassSpeed[];
  /** Per pattern: its write pass, its read-back pass, and both together. */
  patterns: { pattern: string; writeMbps: number | null; verifyMbps: number | null; mbps: number | null }[];
  /** Bytes moved over seconds taken, every timed pass together. */
  overallMbps: number | null;
  /** Per region, every timed pass together: the speed-across-disk curve. */
  regionMbps: (number | null)[];
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const rate = (bytes: number, seconds: number | null) => (seconds !== null && seconds > 0 ? bytes / seconds / 1e6 : null);
const span = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null && b > a ? b - a : null);

/** The profile of a run's passes that were timed end to end; null when none was. */
export function speedProfile(state: Pick<ProgressState, "regionTimes" | "patterns">, sizeBytes: number): SpeedProfile | null {
  const regionBytes = sizeBytes / SPEED_REGIONS;
  const passes: PassSpeed[] = [];
  const regionSeconds = Array.from({ length: SPEED_REGIONS }, () => 0);
  const regionCount = Array.from({ length: SPEED_REGIONS }, () => 0);
  let totalSeconds = 0;
  (state.regionTimes ?? []).forEach((times, i) => {
    const phase = i + 1;
    const whole = span(times[0], times[SPEED_REGIONS]);
    if (whole === null || times.length !== SPEED_REGIONS + 1) return;
    const regionMbps = Array.from({ length: SPEED_REGIONS }, (_, k) => {
      const s = span(times[k], times[k + 1]);
      if (s !== null) {
        regionSeconds[k] = regionSeconds[k]! + s;
        regionCount[k] = regionCount[k]! + 1;
      }
      const r = rate(regionBytes, s);
      return r === null ? null : round1(r);
    });
    totalSeconds += whole;
    passes.push({
      phase, pattern: state.patterns[patternIndex(phase)] ?? "?", kind: phaseKind(phase) ?? "write",
      mbps: round1(rate(sizeBytes, whole)!), seconds: whole, regionMbps,
    });
  });
  if (passes.length === 0) return null;
  const patterns = state.patterns.map((pattern) => {
    const mine = passes.filter((p) => p.pattern === pattern);
    const w = mine.find((p) => p.kind === "write");
    const v = mine.find((p) => p.kind === "verify");
    const seconds = mine.reduce((s, p) => s + p.seconds, 0);
    const both = mine.length ? rate(sizeBytes * mine.length, seconds) : null;
    return { pattern, writeMbps: w?.mbps ?? null, verifyMbps: v?.mbps ?? null, mbps: both === null ? null : round1(both) };
  }).filter((p) => p.writeMbps !== null || p.verifyMbps !== null);
  return {
    regions: SPEED_REGIONS,
    passes,
    patterns,
    overallMbps: round1(rate(sizeBytes * passes.length, totalSeconds)!),
    regionMbps: regionSeconds.map((s, k) => {
      const r = rate(regionBytes * regionCount[k]!, s);
      return r === null ? null : round1(r);
    }),
  };
}
