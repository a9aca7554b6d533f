// The phases of a destructive badblocks run (`badblocks -w`), written down as a table.
//
// For P test patterns there are 2P phases, numbered from 1: pattern i is written in phase 2i-1
// ("Testing with pattern 0xNN:") and read back in phase 2i ("Reading and comparing:"). Phase 0 means
// nothing has started yet. badblocks always prints the headers in that order; the table below also
// says where an out-of-order header leads, so the parser never moves backwards.
//
//   | from phase      | header seen | to phase | why                                   |
//   |-----------------|-------------|----------|---------------------------------------|
//   | 0 (not started) | write       | 1        | first pattern                          |
//   | 0 (not started) | verify      | 2        | write header lost: assume pattern 1    |
//   | odd k (write)   | verify      | k + 1    | read back the pattern just written     |
//   | odd k (write)   | write       | k + 2    | verify header lost: next pattern       |
//   | even k (verify) | write       | k + 1    | next pattern                           |
//   | even k (verify) | verify      | k + 2    | write header lost: next pattern        |
//
// A `done` record ends the current phase without moving to the next one; `Pass completed`,
// `Interrupted at block N` and refusals end the run (see progress.ts).

export type PhaseKind = "write" | "verify";

/** badblocks' own default for -w: these four, in this order. */
export const DEFAULT_PATTERNS: readonly string[] = ["0xaa", "0x55", "0xff", "0x00"];

/** Where a header of `kind` leads from `phase` (the table above). */
export function nextPhase(phase: number, kind: PhaseKind): number {
  const inWrite = phase % 2 === 1;
  if (kind === "write") return inWrite ? phase + 2 : phase + 1;
  return inWrite ? phase + 1 : phase + 2;
}

/** Write phases are odd, verify phases even; 0 has no kind. */
export function phaseKind(phase: number): PhaseKind | null {
  if (phase <= 0) return null;
  return phase % 2 === 1 ? "write" : "verify";
}

/** Index (0-based) of the pattern a phase belongs to. */
export function patternIndex(phase: number): number {
  return Math.max(0, Math.ceil(phase / 2) - 1);
}

/** Phases in the whole run: 2 per pattern, or more if badblocks ran more than it was told. */
export function phaseCountFor(patterns: number, phase: number): number {
  const planned = 2 * Math.max(1, patterns);
  return Math.max(planned, phase + (phase % 2));
}

/**
 * Overall percent for being `pct` % through `phase` of `count`: ((phase-1)*100 + pct) / count.
 * Phase 0 is 0 %. Not capped here: progress.ts caps and keeps it monotonic.
 */
export function overallFor(phase: number, pct: number, count: number): number {
  if (phase <= 0 || count <= 0) return 0;
  const clamped = Math.min(100, Math.max(0, pct));
  return ((phase - 1) * 100 + clamped) / count;
}

/**
 * A pattern as badblocks prints it in its header: `0x` and two lowercase hex digits per byte, or
 * `random`. Returns null for anything else.
 */
export function normalizePattern(p: string): string | null {
  const t = p.trim().toLowerCase();
  if (t === "random") return "random";
  const m = /^0x([0-9a-f]{1,2})$/.exec(t);
  if (!m || m[1] === undefined) return null;
  return `0x${m[1].padStart(2, "0")}`;
}
