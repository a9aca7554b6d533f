// Resuming a surface test whose badblocks vanished (host reboot, killed process), pure.
//
// badblocks -w writes a pattern over the range, then reads it back (verify), pattern after pattern.
// From the saved parser state we know the interrupted pattern i, whether it was writing or
// verifying, and (from the progress line or `Interrupted at block N`) the last block confirmed.
// The rest is run as segments, so every block is still written and verified with every pattern and
// at most the interrupted phase is partly redone:
//
//   | interrupted in | segments, in order                                                            |
//   |----------------|-------------------------------------------------------------------------------|
//   | nothing yet    | the whole test again                                                          |
//   | write of p_i   | continue: `-w -t p_i` over [b, end); check: read-only `-t p_i` over [start, b);|
//   |                | remaining: `-w` with the patterns after p_i over the whole range               |
//   | verify of p_i  | check: read-only `-t p_i` over [b, end); remaining: as above                   |
//   | random pattern | its data cannot be checked read-only: `-w -t random` again over the range,    |
//   |                | then the remaining patterns                                                    |
//
// b is the confirmed block rounded down to a multiple of blocks-at-once, minus one chunk, so a
// chunk in flight when the process died is written again. From a printed percent, the confirmed
// block is the lowest the `%6.2f` figure can stand for (0.005 % below it, less float error): a
// resume never starts past a block that was not written or verified (property test in
// test/resume-plan.test.ts).

import { patternIndex, phaseKind } from "../badblocks/phases.js";

export type SegmentRole = "continue" | "check" | "remaining";

export interface Segment {
  role: SegmentRole;
  patterns: string[];
  /** Inclusive block range, as badblocks' `last_block first_block` arguments take it. */
  firstBlock: number;
  lastBlock: number;
  /** The global phase (1-based, over the original patterns) this segment's first phase shows as. */
  phaseBase: number;
  /** Read-only checks stay on one global phase (the pattern's verify phase). */
  readOnly: boolean;
}

export interface ResumePoint {
  patterns: string[];
  /** Phase (1-based over `patterns`) that was running, 0 if none had started. */
  phase: number;
  /** Percent badblocks printed last in that phase (absolute over the device, as badblocks prints it). */
  phasePct: number;
  /** `Interrupted at block N`, when badblocks said so. */
  interruptedBlock: number | null;
  blockCount: number;
  blocksAtOnce: number;
  /** Where the interrupted run's range started (0 for a whole-device run). */
  rangeStart?: number;
  /** Global phase of this run's phase 1, for a run that is itself a segment. */
  phaseBase?: number;
}

/**
 * badblocks prints `%6.2f%%` of calc_percent(currently_testing, num_blocks), computed in float:
 * the printed figure can be up to 0.005 (rounding) plus float error above the true one. num_blocks
 * is last_block - 1 while writing and last_block while verifying (last_block = one past the range).
 */
const PRINT_ROUNDING_PCT = 0.005;
/** Float error of (float)current, (float)total and the float result: a few ulps of 2^-24, bounded generously. */
const FLOAT_SLACK = 2 ** -20;

/** The lowest block the printed percent can stand for: every block before it had been done. */
function printedFloor(phasePct: number, numBlocks: number): number {
  const pct = Math.max(0, phasePct - PRINT_ROUNDING_PCT);
  return Math.max(0, Math.floor((pct / 100) * numBlocks * (1 - FLOAT_SLACK)));
}

export function confirmedBlock(p: ResumePoint): number {
  // badblocks names the block it was testing when interrupted; otherwise the last percent it printed,
  // taken at its lowest possible value, so the resume point is never ahead of what really was done.
  const writing = phaseKind(p.phase) === "write";
  const seen = p.interruptedBlock ?? printedFloor(p.phasePct, writing ? p.blockCount - 1 : p.blockCount);
  const chunk = Math.max(1, p.blocksAtOnce);
  const start = p.rangeStart ?? 0;
  return Math.max(start, Math.floor(seen / chunk) * chunk - chunk);
}

export function planResume(p: ResumePoint): Segment[] {
  const start = p.rangeStart ?? 0;
  const last = p.blockCount - 1;
  const base = p.phaseBase ?? 0;
  const whole = (patterns: string[], phaseBase: number): Segment => ({
    role: "remaining", patterns, firstBlock: start, lastBlock: last, phaseBase, readOnly: false,
  });
  if (p.phase <= 0) return [whole(p.patterns, base)];
  const i = patternIndex(p.phase);
  const pattern = p.patterns[i]!;
  const writing = phaseKind(p.phase) === "write";
  const after = p.patterns.slice(i + 1);
  const tail = after.length > 0 ? [whole(after, base + 2 * (i + 1))] : [];
  if (pattern === "random") return [whole(p.patterns.slice(i), base + 2 * i)];
  const b = confirmedBlock(p);
  const verifyPhase = base + 2 * i + 2;
  if (writing) {
    const segs: Segment[] = [
      { role: "continue", patterns: [pattern], firstBlock: b, lastBlock: last, phaseBase: base + 2 * i, readOnly: false },
    ];
    if (b > start) {
      segs.push({ role: "check", patterns: [pattern], firstBlock: start, lastBlock: b - 1, phaseBase: verifyPhase, readOnly: true });
    }
    return [...segs, ...tail];
  }
  return [
    { role: "check", patterns: [pattern], firstBlock: b, lastBlock: last, phaseBase: verifyPhase, readOnly: true },
    ...tail,
  ];
}

/** The global phase a segment's own phase shows as. */
export function globalPhase(seg: Segment, segPhase: number): number {
  if (seg.readOnly) return seg.phaseBase;
  return seg.phaseBase + Math.max(1, segPhase);
}

export function describeSegment(seg: Segment): string {
  const range = `blocks ${seg.firstBlock}–${seg.lastBlock}`;
  if (seg.role === "check") return `read-only check of pattern ${seg.patterns[0]} over ${range}`;
  if (seg.role === "continue") return `write and verify pattern ${seg.patterns[0]} over ${range}`;
  return `write and verify ${seg.patterns.join(", ")} over ${range}`;
}
