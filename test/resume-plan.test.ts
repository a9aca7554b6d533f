import { describe, expect, it } from "vitest";
import { confirmedBlock, globalPhase, planResume, type ResumePoint } from "../src/stages/resume-plan.js";

const P = ["0xaa", "0x55", "0xff", "0x00"];
const at = (phase: number, phasePct: number, extra: Partial<ResumePoint> = {}): ResumePoint => ({
  patterns: P, phase, phasePct, interruptedBlock: null, blockCount: 10_000, blocksAtOnce: 64, ...extra,
});

describe("resume plan", () => {
  it("restarts the whole test when no phase had started", () => {
    expect(planResume(at(0, 0))).toEqual([
      { role: "remaining", patterns: P, firstBlock: 0, lastBlock: 9999, phaseBase: 0, readOnly: false },
    ]);
  });

  it("in a write phase: continues the pattern from the confirmed block, checks what was written, then the rest", () => {
    // Pattern 2 (0x55) writing at 50 %: block 5000 → rounded to 4992, minus one chunk → 4928.
    expect(planResume(at(3, 50))).toEqual([
      { role: "continue", patterns: ["0x55"], firstBlock: 4928, lastBlock: 9999, phaseBase: 2, readOnly: false },
      { role: "check", patterns: ["0x55"], firstBlock: 0, lastBlock: 4927, phaseBase: 4, readOnly: true },
      { role: "remaining", patterns: ["0xff", "0x00"], firstBlock: 0, lastBlock: 9999, phaseBase: 4, readOnly: false },
    ]);
  });

  it("in a verify phase: checks the rest of the pattern read-only, then the remaining patterns", () => {
    expect(planResume(at(4, 50))).toEqual([
      { role: "check", patterns: ["0x55"], firstBlock: 4928, lastBlock: 9999, phaseBase: 4, readOnly: true },
      { role: "remaining", patterns: ["0xff", "0x00"], firstBlock: 0, lastBlock: 9999, phaseBase: 4, readOnly: false },
    ]);
  });

  it("in the last verify phase: only the read-only check is left", () => {
    expect(planResume(at(8, 10)).map((s) => s.role)).toEqual(["check"]);
  });

  it("early in a write phase: no check segment, the pattern continues from block 0", () => {
    expect(planResume(at(1, 0.1))).toEqual([
      { role: "continue", patterns: ["0xaa"], firstBlock: 0, lastBlock: 9999, phaseBase: 0, readOnly: false },
      { role: "remaining", patterns: ["0x55", "0xff", "0x00"], firstBlock: 0, lastBlock: 9999, phaseBase: 2, readOnly: false },
    ]);
  });

  it("prefers badblocks' own `Interrupted at block N`", () => {
    expect(confirmedBlock(at(3, 90, { interruptedBlock: 1000 }))).toBe(896);
  });

  it("redoes a random pattern whole: its data cannot be checked read-only", () => {
    const plan = planResume({ ...at(3, 50), patterns: ["0xaa", "random"] });
    expect(plan).toEqual([{ role: "remaining", patterns: ["random"], firstBlock: 0, lastBlock: 9999, phaseBase: 2, readOnly: false }]);
  });

  it("covers every block with every pattern, written and verified", () => {
    for (const phase of [1, 2, 3, 4, 5, 6, 7, 8]) {
      for (const pct of [0, 0.5, 33.3, 99.9]) {
        const plan = planResume(at(phase, pct));
        const i = Math.ceil(phase / 2) - 1;
        // Pattern i: blocks written before the interruption are [0, b) (write phase) or all (verify phase).
        const b = confirmedBlock(at(phase, pct));
        const written = new Set<number>();
        const verified = new Set<number>();
        const mark = (set: Set<number>, from: number, to: number) => { for (let x = from; x <= to; x += 64) set.add(x); };
        if (phase % 2 === 1) mark(written, 0, b - 1); else { mark(written, 0, 9999); mark(verified, 0, b - 1); }
        for (const s of plan.filter((s) => s.patterns[0] === P[i])) {
          if (s.readOnly) mark(verified, s.firstBlock, s.lastBlock);
          else { mark(written, s.firstBlock, s.lastBlock); mark(verified, s.firstBlock, s.lastBlock); }
        }
        for (let x = 0; x < 10_000; x += 64) {
          expect(written.has(x) && verified.has(x), `phase ${phase} ${pct}% block ${x}`).toBe(true);
        }
        const later = plan.filter((s) => s.role === "remaining").flatMap((s) => s.patterns);
        expect(later).toEqual(P.slice(i + 1));
      }
    }
  });

  it("plans inside a segment that was itself interrupted (a second reboot)", () => {
    const plan = planResume({ ...at(1, 80), patterns: ["0x55"], rangeStart: 4928, phaseBase: 2 });
    expect(plan).toEqual([
      { role: "continue", patterns: ["0x55"], firstBlock: 7936, lastBlock: 9999, phaseBase: 2, readOnly: false },
      { role: "check", patterns: ["0x55"], firstBlock: 4928, lastBlock: 7935, phaseBase: 4, readOnly: true },
    ]);
  });

  it("maps segment phases to the original run's phases", () => {
    const [cont, check, rest] = planResume(at(3, 50));
    expect([globalPhase(cont!, 1), globalPhase(cont!, 2)]).toEqual([3, 4]);
    expect(globalPhase(check!, 1)).toBe(4);
    expect([globalPhase(rest!, 1), globalPhase(rest!, 4)]).toEqual([5, 8]);
  });
});
