// Stage names, their default order, and each stage's expected duration for overall progress and ETA.
import { PERCENT_BEFORE_END } from "../percent.js";

export const STAGE_NAMES = ["precheck", "smart_short", "surface_validate", "smart_long", "final_check"] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export const DEFAULT_STAGES: StageName[] = [...STAGE_NAMES];

/** A conservative sequential throughput for a spinning disk, used before a measured speed exists. */
const ASSUMED_BYTES_PER_SECOND = 150e6;

export interface StageProgress {
  name: StageName;
  status: string;
  percent: number;
}

export interface DriveFacts {
  sizeBytes: number;
  /** Measured surface-test speed in bytes/s, when known. */
  measuredBytesPerSecond?: number | null;
  /** Drive-reported self-test polling minutes. */
  shortTestMinutes?: number | null;
  extendedTestMinutes?: number | null;
  /** Patterns in the surface test (each written and read once). */
  patternCount?: number;
}

/** Expected seconds a stage takes on this drive; skipped stages weigh nothing. */
function expectedSeconds(name: StageName, facts: DriveFacts): number {
  const speed = facts.measuredBytesPerSecond || ASSUMED_BYTES_PER_SECOND;
  switch (name) {
    case "precheck":
    case "final_check":
      return 30;
    case "smart_short":
      return (facts.shortTestMinutes ?? 2) * 60;
    case "smart_long":
      return (facts.extendedTestMinutes ?? Math.ceil(facts.sizeBytes / speed / 60)) * 60;
    case "surface_validate":
      return (2 * (facts.patternCount ?? 4) * facts.sizeBytes) / speed;
  }
}

/** Overall percent, weighting each stage by its expected duration. Never 100 until all stages ended. */
export function overallPercent(stages: StageProgress[], facts: DriveFacts): number {
  let total = 0;
  let done = 0;
  for (const s of stages) {
    if (s.status === "skipped") continue;
    const w = expectedSeconds(s.name, facts);
    total += w;
    const pct = s.status === "passed" ? 100 : Math.min(s.percent, PERCENT_BEFORE_END);
    done += (w * pct) / 100;
  }
  if (total === 0) return 0;
  const pct = (done / total) * 100;
  const allEnded = stages.every((s) => s.status !== "pending" && s.status !== "running");
  return allEnded ? Math.min(pct, 100) : Math.min(pct, PERCENT_BEFORE_END);
}

/** Seconds left, from elapsed active time and percent; null while too early to tell (< 0.5 %). */
export function etaSeconds(elapsedSeconds: number, percent: number): number | null {
  if (percent < 0.5 || percent >= 100 || elapsedSeconds <= 0) return null;
  return Math.round((elapsedSeconds * (100 - percent)) / percent);
}

/**
 * A destructive stage list (one with the surface test) always starts with precheck, the fresh look
 * at the drive right before anything is written: inserted when the list leaves it out; a list that
 * puts it anywhere but first is refused (errors as data: `error` says why).
 */
export function withPrecheckFirst(stages: readonly StageName[]): { stages: StageName[] } | { error: string } {
  if (!stages.includes("surface_validate") || stages[0] === "precheck") return { stages: [...stages] };
  if (stages.includes("precheck")) {
    return { error: "precheck must be the first stage of a burn-in that writes the disk (leave it out and Kiln puts it first)" };
  }
  return { stages: ["precheck", ...stages] };
}
