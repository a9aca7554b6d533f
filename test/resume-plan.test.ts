import { describe, expect, it } from "vitest";
import { feed, initialState } from "../src/badblocks/progress.js";
import { confirmedBlock, globalPhase, planResume, type ResumePoint } from "../src/surface/resume-plan.js";

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
    // 80.00 % may stand for as little as 79.995 % of 9999 blocks (7998): rounded to 7936, minus a chunk.
    const plan = planResume({ ...at(1, 80), patterns: ["0x55"], rangeStart: 4928, phaseBase: 2 });
    expect(plan).toEqual([
      { role: "continue", patterns: ["0x55"], firstBlock: 7872, lastBlock: 9999, phaseBase: 2, readOnly: false },
      { role: "check", patterns: ["0x55"], firstBlock: 4928, lastBlock: 7871, phaseBase: 4, readOnly: true },
    ]);
  });

  it("maps segment phases to the original run's phases", () => {
    const [cont, check, rest] = planResume(at(3, 50));
    expect([globalPhase(cont!, 1), globalPhase(cont!, 2)]).toEqual([3, 4]);
    expect(globalPhase(check!, 1)).toBe(4);
    expect([globalPhase(rest!, 1), globalPhase(rest!, 4)]).toEqual([5, 8]);
  });
});

// badblocks' own arithmetic (misc/badblocks.c): calc_percent casts both counts to float, computes
// 100.0 * current / total in double and returns it as float; print_status formats it with %6.2f.
function printedByBadblocks(current: number, total: number): string {
  const pct = current >= total ? 100 : Math.fround((100 * Math.fround(current)) / Math.fround(total));
  return pct.toFixed(2).padStart(6);
}

/** A small deterministic generator, so a failure names a case that can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe("the resume point is never ahead of what badblocks printed", () => {
  const BLOCK_SIZES = [1024, 4096, 8192, 65536];
  const CHUNKS = [1, 16, 64, 512, 4096];

  it("over 50 000 disk sizes, block sizes, chunk sizes and positions, in write and verify phases", () => {
    const next = rng(20261201);
    let worstLag = 0;
    for (let n = 0; n < 50_000; n++) {
      // Disk sizes from 1 MiB to 24 TB, spread over the orders of magnitude.
      const bytes = Math.floor(2 ** (20 + next() * 24.5));
      const blockSize = BLOCK_SIZES[Math.floor(next() * BLOCK_SIZES.length)]!;
      const blockCount = Math.min(2 ** 32 - 1, Math.floor(bytes / blockSize));
      if (blockCount < 2) continue;
      const chunk = CHUNKS[Math.floor(next() * CHUNKS.length)]!;
      const writing = next() < 0.5;
      // badblocks' num_blocks: last_block - 1 while writing, last_block while reading back.
      const total = writing ? blockCount - 1 : blockCount;
      const current = Math.floor(next() * blockCount);
      const line = `${printedByBadblocks(current, total)}% done, 1:00:00 elapsed. (0/0/0 errors)`;
      const state = feed(initialState(["0xaa"]), Buffer.from(`Testing with pattern 0xaa: ${writing ? "" : "done\nReading and comparing: "}${line}\b\b`)).state;
      expect(state.phase).toBe(writing ? 1 : 2);
      const b = confirmedBlock({
        patterns: ["0xaa"], phase: state.phase, phasePct: state.phasePct, interruptedBlock: null, blockCount, blocksAtOnce: chunk,
      });
      if (b > current || b % chunk !== 0) {
        expect.fail(`${blockCount} blocks of ${blockSize}, -c ${chunk}, ${writing ? "writing" : "verifying"} at block ${current}, printed ${line}: resume at ${b}`);
      }
      // Beyond two chunks, the lag is what the printed figure cannot tell apart (0.01 % of the disk).
      worstLag = Math.max(worstLag, (current - b - 2 * chunk) / blockCount);
    }
    expect(worstLag).toBeLessThan(0.000101);
  });

  it("at the worst rounding: 24 TB in 64 KiB blocks, a figure just rounded up", () => {
    const blockCount = Math.floor(24e12 / 65536);
    // A block just past 12.345 % prints as 12.35: the resume starts before it, not at 12.35 %.
    const current = Math.ceil(0.12345 * blockCount) + 1;
    expect(printedByBadblocks(current, blockCount)).toBe(" 12.35");
    const b = confirmedBlock({ patterns: ["0xaa"], phase: 2, phasePct: 12.35, interruptedBlock: null, blockCount, blocksAtOnce: 64 });
    expect(b).toBeLessThanOrEqual(current);
    expect(Math.floor(0.1235 * blockCount)).toBeGreaterThan(current); // what the old arithmetic took
  });
});
