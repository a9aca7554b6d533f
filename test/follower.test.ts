// The follower (pure) replaying real badblocks streams (test/fixtures/badblocks, captured from
// e2fsprogs 1.47.0): what it commits at once through the write gate, the log tail it keeps, and the
// verdict at the end, whatever the byte boundaries of the polls.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_PATTERNS } from "../src/badblocks/phases.js";
import { summary } from "../src/badblocks/progress.js";
import type { JobRead } from "../src/remote/read-script.js";
import { Follower, type Outcome } from "../src/surface/follower.js";

const fixture = (name: string, ext: "stderr" | "stdout" | "json") => readFileSync(new URL(`./fixtures/badblocks/${name}.${ext}`, import.meta.url));

/** A gate interval no replay reaches: only an urgent change (or the first progress) commits. */
const GATE_MS = 1e12;
const NOW = 1_000_000;

interface Replay {
  /** The stage's phase and terminal kind as committed, one entry per commit. */
  commits: { phase: number; terminal: string | null; newBadBlocks: number[] }[];
  /** Polls that brought log bytes. */
  polls: number;
  tail: string[];
  outcome: Outcome;
}

function read(log: Buffer, from: number, to: number, bb: Buffer | null, exit: string | null): JobRead {
  return {
    found: true, foreign: false, pgid: 42, alive: exit === null, bbAlive: exit === null, process: null, exit,
    log: { size: log.length, offset: from, data: log.subarray(from, to), truncated: false },
    bb: bb ? { size: bb.length, offset: 0, data: bb, truncated: false } : null,
  };
}

/**
 * Feeds `name`'s stderr in polls of `step` bytes, then its bad-block list in a poll of its own, then
 * the exit status, committing whenever the follower says so.
 */
function replay(name: string, step: number): Replay {
  const log = fixture(name, "stderr");
  const list = fixture(name, "stdout");
  const meta = JSON.parse(fixture(name, "json").toString()) as { command: string; exitCode: number };
  const patterns = meta.command.includes("-t random") ? ["random"] : [...DEFAULT_PATTERNS];
  const f = new Follower({ jobId: 1, stageId: 1, jobDir: "/w/jobs/1", patterns, logOffset: 0, bbOffset: 0, parserState: null, badBlocks: [], logTail: [] });
  const commits: Replay["commits"] = [];
  let outcome: Outcome | null = null;
  const apply = (r: JobRead) => {
    const s = f.apply(r, NOW, GATE_MS);
    if (s.commit) {
      const sum = summary(f.state);
      commits.push({ phase: sum.phase, terminal: sum.terminal?.kind ?? null, newBadBlocks: [...f.newBadBlocks] });
      f.committed(NOW);
    }
    if (s.outcome) outcome = s.outcome;
  };
  let polls = 0;
  for (let at = 0; at < log.length && !outcome; at += step, polls++) apply(read(log, at, Math.min(log.length, at + step), null, null));
  if (list.length > 0 && !outcome) apply(read(log, log.length, log.length, list, null));
  if (!outcome) apply(read(log, log.length, log.length, list.length ? list.subarray(list.length) : null, String(meta.exitCode)));
  if (!outcome) throw new Error(`${name}: the follower never ended`);
  return { commits, polls, tail: f.tail, outcome };
}

const passes = (patterns: string[]) =>
  patterns.flatMap((p) => [p === "random" ? "Testing with random pattern:" : `Testing with pattern ${p}:`, "done", "Reading and comparing:", "done"]);

describe("follower over captured badblocks streams", () => {
  it("commits every phase change and the terminal record at once, and holds plain progress back", () => {
    const r = replay("good-slow", 64);
    // Far more polls than commits: once-a-second status lines over 16 MiB wait for the gate.
    expect(r.polls).toBeGreaterThan(r.commits.length * 2);
    const phases = r.commits.map((c) => c.phase);
    // Every phase reaches a commit, in order (a poll never carries two headers of this slow disk).
    expect([...new Set(phases)].filter((p) => p > 0)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(phases).toEqual([...phases].sort((a, b) => a - b));
    expect(r.commits.filter((c) => c.terminal === "completed")).toHaveLength(2); // the terminal record, then the exit status
    expect(r.outcome).toMatchObject({ status: "passed", resumable: false });
  });

  it("commits new bad blocks from the list at once, and fails the pass on them", () => {
    const r = replay("bad-4k", 97);
    const withBlocks = r.commits.filter((c) => c.newBadBlocks.length > 0);
    expect(withBlocks).toHaveLength(1);
    expect(withBlocks[0]!.newBadBlocks).toEqual([100, 101, 102, 103]);
    expect(r.outcome.status).toBe("failed");
    expect(r.outcome.errorText).toMatch(/^4 bad blocks found/);
  });

  it("keeps the log's lines as the parser read them, without the status redraws", () => {
    const r = replay("good-4k", 4096);
    expect(r.tail).toEqual([...passes([...DEFAULT_PATTERNS]), "Pass completed, 0 bad blocks found. (0/0/0 errors)"]);
    expect(replay("random-bad", 4096).tail.at(-1)).toMatch(/^Pass completed, \d+ bad blocks found\. \(\d+\/\d+\/\d+ errors\)$/);
  });

  it("keeps the last 20 lines of a long log, notices included", () => {
    const r = replay("abort-e1", 4096);
    expect(r.tail.length).toBeLessThanOrEqual(20);
    expect(r.tail).toContain("Too many bad blocks, aborting test");
    expect(r.tail.at(-1)).toMatch(/^Pass completed, \d+ bad blocks found\./);
    expect(r.outcome.status).toBe("failed");
  });

  it("ends the tail with an interruption or a refusal in badblocks' words", () => {
    const interrupted = replay("interrupted", 4096);
    expect(interrupted.tail.at(-1)).toBe("Interrupted at block 3712");
    expect(interrupted.outcome).toMatchObject({ status: "unknown", resumable: true });
    const refused = replay("refused-mounted", 4096);
    expect(refused.tail).toEqual([expect.stringMatching(/is mounted; it's not safe to run badblocks!$/)]);
    expect(refused.commits[0]!.terminal).toBe("refused");
    expect(refused.outcome.status).toBe("failed");
  });

  it("gives the same commits, tail and verdict whatever the byte boundaries of the polls", () => {
    for (const name of ["good-slow", "bad-4k", "random-bad", "abort-e1", "interrupted", "refused-in-use"]) {
      const whole = replay(name, 1 << 20);
      for (const step of [1, 7, 333]) {
        const cut = replay(name, step);
        expect(cut.tail, `${name} in polls of ${step} bytes`).toEqual(whole.tail);
        expect(cut.outcome, `${name} in polls of ${step} bytes`).toEqual(whole.outcome);
        // The last commit holds the same phase and terminal record however the bytes were cut.
        expect(cut.commits.at(-1), `${name} in polls of ${step} bytes`).toEqual(whole.commits.at(-1));
      }
    }
  });
});
