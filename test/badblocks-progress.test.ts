import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { feed, finish, initialState, runPercent, phaseCount, summary, type ProgressEvent, type ProgressState } from "../src/badblocks/progress.js";
import { nextPhase, normalizePattern, overallFor, phaseKind } from "../src/badblocks/phases.js";
import { scanStatus } from "../src/badblocks/status-scan.js";

// Real badblocks output captured by scripts/capture-badblocks-fixtures.sh.
const FIXTURES = new URL("./fixtures/badblocks/", import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));
const meta = (name: string) => JSON.parse(fixture(`${name}.json`).toString("utf8")) as Record<string, any>;
const ALL = ["good-4k", "good-slow", "bad-4k", "random-bad", "abort-e1", "interrupted",
  "refused-mounted", "refused-in-use", "refused-32bit", "refused-missing", "refused-permission"];

/** Feeds `buf` cut at `cuts` (sorted byte positions), optionally through a JSON round trip at each cut. */
function replay(buf: Buffer, cuts: number[] = [], start: ProgressState = initialState(), viaJson = false) {
  let state = start;
  const events: ProgressEvent[] = [];
  let at = 0;
  for (const cut of [...cuts, buf.length]) {
    const r = feed(state, buf.subarray(at, cut));
    events.push(...r.events);
    state = viaJson ? (JSON.parse(JSON.stringify(r.state)) as ProgressState) : r.state;
    at = cut;
  }
  return { state, events };
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function randomCuts(len: number, n: number, rnd: () => number): number[] {
  return [...new Set(Array.from({ length: n }, () => Math.floor(rnd() * len)))].sort((a, b) => a - b);
}

const ofType = <T extends ProgressEvent["type"]>(events: ProgressEvent[], type: T) =>
  events.filter((e): e is Extract<ProgressEvent, { type: T }> => e.type === type);

describe("badblocks progress on real captured runs", () => {
  it("walks a good disk through 8 phases, alternating write and verify, to a completed pass", () => {
    const { state, events } = replay(fixture("good-4k.stderr"));
    const phases = ofType(events, "phase");
    expect(phases.map((p) => p.phase)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(phases.map((p) => p.kind)).toEqual(["write", "verify", "write", "verify", "write", "verify", "write", "verify"]);
    expect(phases.map((p) => p.pattern)).toEqual(["0xaa", "0xaa", "0x55", "0x55", "0xff", "0xff", "0x00", "0x00"]);
    expect(ofType(events, "phaseDone")).toHaveLength(8);
    expect(state.terminal).toEqual({ kind: "completed", badBlocks: 0, errors: { read: 0, write: 0, corrupt: 0 } });
    expect(runPercent(state)).toBe(100);
    expect(state.lastBlock).toBe(16383);
  });

  it("keeps overall progress monotonic and below 100 until the pass completes", () => {
    const raw = fixture("good-slow.stderr");
    let state = initialState();
    const seen: number[] = [];
    for (let i = 0; i < raw.length; i += 7) {
      const r = feed(state, raw.subarray(i, i + 7));
      state = r.state;
      if (!state.terminal) expect(runPercent(state)).toBeLessThan(100);
      seen.push(runPercent(state));
    }
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(ofType(replay(raw).events, "progress").some((p) => p.pct > 30 && p.pct < 100)).toBe(true);
    expect(seen.at(-1)).toBe(100);
  });

  it("reports how long each finished phase took, from badblocks' own elapsed clock", () => {
    const { state } = replay(fixture("good-slow.stderr"));
    const s = summary(state);
    expect(s.phaseCount).toBe(8);
    expect(s.phaseSeconds).toHaveLength(8);
    for (const secs of s.phaseSeconds) expect(secs).toBeGreaterThanOrEqual(1);
    const total = s.phaseSeconds.reduce<number>((a, b) => a + (b ?? 0), 0);
    expect(total).toBeLessThanOrEqual(s.elapsedSeconds);
    expect(total).toBeGreaterThan(s.elapsedSeconds - 8);
  });

  it("leaves unfinished phases without a duration", () => {
    const raw = fixture("good-slow.stderr");
    const cut = raw.indexOf("Testing with pattern 0x55");
    const s = summary(replay(raw.subarray(0, cut + 120)).state);
    expect(s.phase).toBe(3);
    expect(s.phaseSeconds[0]).not.toBeNull();
    expect(s.phaseSeconds.slice(2)).toEqual([null, null, null, null, null, null]);
  });

  it("counts the unreadable sectors injected into the nbdkit disk", () => {
    const m = meta("bad-4k");
    const injected = m.injected.lastBlock - m.injected.firstBlock + 1;
    const { state } = replay(fixture("bad-4k.stderr"));
    expect(state.terminal?.kind).toBe("completed");
    expect(state.terminal?.badBlocks).toBe(injected);
    expect(state.terminal?.errors).toEqual({ read: injected, write: 0, corrupt: 0 });
  });

  it("reads the bad-block list as bare numbers", () => {
    const m = meta("bad-4k");
    const { events } = replay(fixture("bad-4k.stdout"));
    const blocks = ofType(events, "badBlock").map((e) => e.block);
    const expected = Array.from({ length: m.injected.lastBlock - m.injected.firstBlock + 1 }, (_, i) => m.injected.firstBlock + i);
    expect(blocks).toEqual(expected);
  });

  it("ends an -e run that hit its limit as aborted, not completed", () => {
    const { state, events } = replay(fixture("abort-e1.stderr"));
    expect(state.terminal).toMatchObject({ kind: "aborted", badBlocks: 1, errors: { read: 1, write: 0, corrupt: 0 } });
    expect(runPercent(state)).toBeLessThan(100);
    expect(ofType(events, "notice").map((n) => n.text)).toEqual(["Too many bad blocks, aborting test"]);
  });

  it("follows a random-pattern run as two phases", () => {
    const { state, events } = replay(fixture("random-bad.stderr"), [], initialState(["random"]));
    expect(ofType(events, "phase").map((p) => [p.phase, p.pattern, p.kind])).toEqual([[1, "random", "write"], [2, "random", "verify"]]);
    expect(phaseCount(state)).toBe(2);
    expect(state.terminal).toMatchObject({ kind: "completed", badBlocks: fixture("random-bad.stdout").toString().trim().split("\n").length });
  });

  it("ends a run stopped by a signal as interrupted at the block badblocks names", () => {
    const raw = fixture("interrupted.stderr");
    const block = Number(/Interrupted at block (\d+)/.exec(raw.toString("latin1"))?.[1]);
    const { state } = replay(raw);
    expect(state.terminal).toMatchObject({ kind: "interrupted", block });
    expect(runPercent(state)).toBeLessThan(100);
    expect(state.phase).toBeGreaterThan(0);
  });

  it.each([
    ["refused-mounted", "is mounted"],
    ["refused-in-use", "apparently in use by the system"],
    ["refused-32bit", "must be 32-bit value"],
    ["refused-missing", "No such file or directory"],
    ["refused-permission", "Permission denied"],
  ])("turns %s into a refusal quoting badblocks", (name, text) => {
    const { state, events } = replay(fixture(`${name}.stderr`));
    expect(meta(name).exitCode).not.toBe(0);
    expect(state.terminal?.kind).toBe("refused");
    expect(state.terminal?.reason).toContain(text);
    expect(state.terminal?.reason).not.toMatch(/^badblocks: /);
    expect(ofType(events, "terminal")).toHaveLength(1);
  });
});

describe("badblocks progress replay", () => {
  it.each(ALL)("gives the same state and events for %s however the bytes are cut", (name) => {
    const raw = fixture(`${name}.stderr`);
    const whole = replay(raw);
    const everyByte = replay(raw, Array.from({ length: raw.length }, (_, i) => i));
    expect(everyByte).toEqual(whole);
    const rnd = seeded(raw.length);
    for (let round = 0; round < 20; round++) {
      expect(replay(raw, randomCuts(raw.length, 1 + Math.floor(rnd() * 40), rnd))).toEqual(whole);
    }
  });

  it("gives the same result when cut inside backspace runs and inside numbers", () => {
    const raw = fixture("good-slow.stderr");
    const text = raw.toString("latin1");
    const cuts: number[] = [];
    for (let i = 1; i < text.length; i++) {
      const inBackspaces = text[i - 1] === "\b" && text[i] === "\b";
      const inNumber = /\d/.test(text[i - 1] ?? "") && /\d/.test(text[i] ?? "");
      if ((inBackspaces && i % 5 === 0) || inNumber) cuts.push(i);
    }
    expect(cuts.length).toBeGreaterThan(100);
    expect(replay(raw, cuts)).toEqual(replay(raw));
  });

  it("continues from a state saved as JSON midway as if never stopped", () => {
    for (const name of ALL) {
      const raw = fixture(`${name}.stderr`);
      const rnd = seeded(7 + raw.length);
      expect(replay(raw, randomCuts(raw.length, 12, rnd), initialState(), true)).toEqual(replay(raw));
    }
  });

  it("keeps a partial record until the next chunk completes it", () => {
    const a = feed(initialState(), Buffer.from("Pass completed, 3 bad bl"));
    expect(a.events).toEqual([]);
    expect(a.state.partial).toBe("Pass completed, 3 bad bl");
    expect(a.state.offset).toBe(24);
    const b = feed(a.state, Buffer.from("ocks found. (1/2/0 errors)\n"));
    expect(b.events).toEqual([{ type: "terminal", kind: "completed", badBlocks: 3, errors: { read: 1, write: 2, corrupt: 0 } }]);
  });

  it("takes an unterminated last record at the end of the stream", () => {
    const a = feed(initialState(), Buffer.from("\n\nInterrupted at block 77"));
    expect(a.state.terminal).toBeNull();
    expect(finish(a.state).state.terminal).toMatchObject({ kind: "interrupted", block: 77 });
  });
});

describe("badblocks progress records", () => {
  const run = (text: string, patterns?: string[]) => replay(Buffer.from(text, "latin1"), [], initialState(patterns));

  it("reads a header and the status printed right after it as one record", () => {
    const { events } = run("Testing with pattern 0xaa:   0.00% done, 0:00 elapsed. (0/0/0 errors)\b\b\b");
    expect(events).toEqual([
      { type: "phase", phase: 1, pattern: "0xaa", kind: "write" },
      { type: "progress", phase: 1, pct: 0, elapsedSeconds: 0, errors: { read: 0, write: 0, corrupt: 0 } },
    ]);
  });

  it("reads hours in elapsed time, beyond a day too", () => {
    const { state } = run("Testing with pattern 0xaa:  12.50% done, 1:02:03 elapsed. (0/1/2 errors)\n 13.00% done, 27:00:01 elapsed. (0/1/2 errors)\n");
    expect(state.elapsedSeconds).toBe(27 * 3600 + 1);
    expect(state.errors).toEqual({ read: 0, write: 1, corrupt: 2 });
  });

  it("caps overall progress at 99.99 until Pass completed", () => {
    const text = ["0xaa", "0x55", "0xff", "0x00"]
      .map((p) => `Testing with pattern ${p}: 100.00% done, 0:01 elapsed. (0/0/0 errors)\ndone\nReading and comparing: 100.00% done, 0:02 elapsed. (0/0/0 errors)\ndone\n`)
      .join("");
    const before = run(text).state;
    expect(runPercent(before)).toBe(99.99);
    const after = feed(before, Buffer.from("Pass completed, 0 bad blocks found. (0/0/0 errors)\n")).state;
    expect(runPercent(after)).toBe(100);
  });

  it("never moves overall progress backwards when a status goes down", () => {
    const { state } = run("Testing with pattern 0xaa:  50.00% done, 0:05 elapsed. (0/0/0 errors)\n 10.00% done, 0:06 elapsed. (0/0/0 errors)\n");
    expect(runPercent(state)).toBe(6.25);
  });

  it("treats a badblocks error line during the run as a notice, not a refusal", () => {
    const { state, events } = run("Testing with pattern 0xaa:   1.00% done, 0:01 elapsed. (0/0/0 errors)\nbadblocks: Input/output error during ext2fs_sync_device\n");
    expect(state.terminal).toBeNull();
    expect(state.notice).toBe("badblocks: Input/output error during ext2fs_sync_device");
    expect(ofType(events, "notice")).toHaveLength(1);
  });

  it("refuses when the host has no badblocks", () => {
    expect(run("/root/kiln/jobs/1/run.sh: 12: badblocks: not found\n").state.terminal?.kind).toBe("refused");
  });

  it("refuses when badblocks prints its usage before starting", () => {
    expect(run("Usage: badblocks [-b block_size] [-i input_file] [-o output_file] [-svwnfBX]\n").state.terminal?.kind).toBe("refused");
  });

  it("ignores records after the terminal one", () => {
    const { events } = run("Pass completed, 0 bad blocks found. (0/0/0 errors)\nTesting with pattern 0xaa: \n12\n");
    expect(events.map((e) => e.type)).toEqual(["terminal"]);
  });

  it("never throws on bytes that are not UTF-8 and keeps a runaway record bounded", () => {
    const garbage = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 131 + 7) % 256).filter((b) => b !== 8 && b !== 10));
    const r = feed(initialState(), garbage);
    expect(r.state.partial.length).toBeLessThanOrEqual(1024);
    expect(() => finish(r.state)).not.toThrow();
  });

  it("keeps its state the same size however long the log grows", () => {
    const line = (s: number) => ` 50.00% done, ${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")} elapsed. (0/0/0 errors)${"\b".repeat(44)}`;
    const header = Buffer.from("Testing with pattern 0xaa:   0.00% done, 0:00 elapsed. (0/0/0 errors)\b");
    const short = replay(Buffer.concat([header, Buffer.from(Array.from({ length: 100 }, (_, i) => line(i)).join(""), "latin1")])).state;
    const long = replay(Buffer.concat([header, Buffer.from(Array.from({ length: 30_000 }, (_, i) => line(i)).join(""), "latin1")])).state;
    expect(JSON.stringify(long).length).toBeLessThan(JSON.stringify(short).length + 20);
    expect(JSON.stringify(long).length).toBeLessThan(1500);
  });
});

describe("badblocks phase table", () => {
  it.each([
    [0, "write", 1],
    [0, "verify", 2],
    [1, "verify", 2],
    [1, "write", 3],
    [2, "write", 3],
    [2, "verify", 4],
    [7, "verify", 8],
  ] as const)("goes from phase %i on a %s header to phase %i", (from, kind, to) => {
    expect(nextPhase(from, kind)).toBe(to);
    expect(phaseKind(to)).toBe(to % 2 === 1 ? "write" : "verify");
  });

  it("computes overall percent as ((phase-1)*100 + pct) / phases", () => {
    expect(overallFor(3, 50, 8)).toBe(31.25);
    expect(overallFor(0, 50, 8)).toBe(0);
  });

  it("normalises patterns the way badblocks prints them", () => {
    expect(normalizePattern("0xA")).toBe("0x0a");
    expect(normalizePattern("RANDOM")).toBe("random");
    expect(normalizePattern("0x1ff")).toBeNull();
    expect(normalizePattern("170")).toBeNull();
  });
});

describe("badblocks progress fast path", () => {
  // feed() reads a status record that lies whole inside one chunk with status-scan.ts (no regex);
  // fed one byte at a time every record is assembled in `partial` and takes the general, regex path.
  const forms = [
    "  0.00% done, 0:00 elapsed. (0/0/0 errors)",
    " 12.34% done, 1:02:03 elapsed. (1/2/3 errors)",
    "100.00% done, 27:00:01 elapsed. (0/0/0 errors)",
    "7% done, 0:07 elapsed.",
    " 50.5% done, 0:08 elapsed (4/5/6 errors)",
    " 51.00% done, 0:09 elapsed. (7/8 errors)",
    " 52.00% done, 0:10 elapsed. (9/9/9 errors) trailing words",
    "\t53.00% done, 0:11 elapsed. (0/0/0 errors)",
    " 54.00% done, 0:12 elapsed. (12345678901234567/0/0 errors)",
    " 55.0000000000000001% done, 0:13 elapsed. (0/0/0 errors)",
    " 56.00% done, 1234567890123456:00 elapsed. (0/0/0 errors)",
    " 57.00% done, 0: elapsed. (0/0/0 errors)",
    " 58.% done, 0:14 elapsed. (0/0/0 errors)",
    " 59.00% done, 15 elapsed. (0/0/0 errors)",
    "060.10% done, 0:16 elapsed. (0/1/0 errors)",
    " 61.00% done, 0:17 elapsed. (0/0/0 errors)\u00a0",
  ];
  const stream = (sep: string) =>
    Buffer.from(`Testing with pattern 0xaa: ${forms.join(sep)}${sep}done${sep}Reading and comparing: ${forms.join(sep)}${sep}`, "latin1");

  it("reads every status form exactly as the general path does, however the bytes are cut", () => {
    for (const sep of ["\b".repeat(44), "\n", "\b\n\b"]) {
      const raw = stream(sep);
      const whole = replay(raw);
      expect(ofType(whole.events, "progress").length).toBeGreaterThan(20);
      expect(replay(raw, Array.from({ length: raw.length }, (_, i) => i))).toEqual(whole);
      const rnd = seeded(raw.length);
      for (let round = 0; round < 20; round++) expect(replay(raw, randomCuts(raw.length, 1 + Math.floor(rnd() * 30), rnd))).toEqual(whole);
    }
  });

  it("takes the fast path for real status records and leaves the doubtful ones to the general path", () => {
    const real = fixture("good-slow.stderr").toString("latin1");
    const record = /\s*\d+\.\d+% done, [^\b]*/.exec(real)![0];
    const fast = scanStatus(Buffer.from(record, "latin1"), 0, record.length);
    expect(fast).toMatchObject({ errors: { read: 0, write: 0, corrupt: 0 } });
    expect(fast!.pct).toBe(Number(/(\d+\.\d+)%/.exec(record)![1]));
    for (const doubtful of [forms[7]!, forms[8]!, forms[9]!, forms[10]!]) expect(scanStatus(Buffer.from(doubtful, "latin1"), 0, doubtful.length)).toBeNull();
  });

  it("gives the same state and events for a long log fed whole, in reader-sized chunks or record by record", () => {
    const raw = fixture("good-slow.stderr");
    const long = Buffer.concat([raw.subarray(0, raw.lastIndexOf("Pass completed")), ...Array.from({ length: 40 }, () => raw.subarray(raw.indexOf("Reading and comparing"), raw.lastIndexOf("Pass completed"))), raw.subarray(raw.lastIndexOf("Pass completed"))]);
    const whole = replay(long);
    const sizes = [1 << 20, 4096, 97, 1];
    for (const size of sizes) expect(replay(long, Array.from({ length: Math.ceil(long.length / size) - 1 }, (_, i) => (i + 1) * size))).toEqual(whole);
    const records = [...long.toString("latin1").matchAll(/[\b\n]+/g)].map((m) => m.index! + m[0].length).filter((i) => i < long.length);
    expect(replay(long, records, initialState(), true)).toEqual(whole);
  });
});
