// Speed across the disk and the batch comparison, pure: the parser times each region of each pass
// from badblocks' own status lines (real captures and logs written like badblocks writes them), and
// the comparison flags a drive slower than its same-model siblings or a region below its own curve.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { feed, finish, initialState, type ProgressState } from "../src/badblocks/progress.js";
import { compareBatchSpeeds, median, modelKey } from "../src/jobs/batch-speed.js";
import { speedProfile } from "../src/surface/speed.js";

const MB = 1e6;

/**
 * A badblocks -wsv progress stream (status every second, `\b`-redrawn, integer elapsed seconds) for
 * a disk of `size` bytes whose speed at fraction x of the disk is `speed(x)` bytes/s.
 */
function badblocksLog(size: number, speed: (x: number) => number, patterns = ["0xaa"]): Buffer {
  let t = 0;
  let out = "Checking for bad blocks in read-write mode\nFrom block 0 to 1000\n";
  const status = (p: number) => `${p.toFixed(2).padStart(6)}% done, ${Math.floor(t / 60)}:${String(Math.floor(t % 60)).padStart(2, "0")} elapsed. (0/0/0 errors)`;
  const bs = "\b".repeat(40);
  for (const p of patterns) {
    for (const header of [`Testing with pattern ${p}: `, "Reading and comparing: "]) {
      let pos = 0;
      out += header + status(0) + bs;
      let nextTick = Math.floor(t) + 1;
      while (pos < size) {
        const step = Math.min(size - pos, 65536);
        t += step / speed(pos / size);
        pos += step;
        while (t >= nextTick && pos < size) {
          const saved = t;
          t = nextTick;
          out += status((100 * pos) / size) + bs;
          t = saved;
          nextTick++;
        }
      }
      out += "done                                \n";
    }
  }
  out += "Pass completed, 0 bad blocks found. (0/0/0 errors)\n";
  return Buffer.from(out, "latin1");
}

function parsed(buf: Buffer, patterns = ["0xaa"], cut = 0): ProgressState {
  let s = initialState(patterns);
  if (cut > 0) {
    for (let i = 0; i < buf.length; i += cut) s = feed(s, buf.subarray(i, i + cut)).state;
  } else s = feed(s, buf).state;
  return finish(s).state;
}

describe("speed across the disk", () => {
  it("times every region of every pass of a real badblocks capture", () => {
    const raw = readFileSync(new URL("./fixtures/badblocks/good-slow.stderr", import.meta.url));
    const p = speedProfile(parsed(raw, ["0xaa", "0x55", "0xff", "0x00"]), 16 * 1024 * 1024)!;
    expect(p.passes).toHaveLength(8);
    expect(p.patterns.map((x) => x.pattern)).toEqual(["0xaa", "0x55", "0xff", "0x00"]);
    // 16 MiB in ~2.6 s a pass: about 6 MB/s.
    expect(p.overallMbps!).toBeGreaterThan(4);
    expect(p.overallMbps!).toBeLessThan(9);
    expect(p.regionMbps.every((r) => r !== null && r > 0)).toBe(true);
  });

  it("gives the same profile however the log is cut into chunks", () => {
    const log = badblocksLog(100 * MB, () => 2 * MB);
    const whole = speedProfile(parsed(log), 100 * MB);
    for (const cut of [1, 7, 333]) expect(speedProfile(parsed(log, ["0xaa"], cut), 100 * MB)).toEqual(whole);
  });

  it("sees a region slowed to a third", () => {
    const log = badblocksLog(100 * MB, (x) => (x >= 0.4 && x < 0.5 ? (2 / 3) * MB : 2 * MB));
    const p = speedProfile(parsed(log), 100 * MB)!;
    expect(p.regionMbps[4]!).toBeLessThan(0.8);
    for (const k of [0, 1, 2, 7, 8, 9]) expect(p.regionMbps[k]!).toBeCloseTo(2, 0);
  });
});

function profileOf(speed: (x: number) => number, size = 64 * MB) {
  return speedProfile(parsed(badblocksLog(size, speed)), size);
}

describe("the batch comparison", () => {
  const even = () => 2 * MB;

  it("flags exactly the drive 30 % slower than its three siblings, with the numbers", () => {
    const drives = [1, 2, 3].map((jobId) => ({ jobId, model: "M", profile: profileOf(even) }));
    drives.push({ jobId: 4, model: "M", profile: profileOf(() => 1.4 * MB) });
    const c = compareBatchSpeeds(drives);
    expect(c.filter((d) => d.slow).map((d) => d.jobId)).toEqual([4]);
    const slow = c[3]!;
    expect(slow.siblingsMbps).toBeCloseTo(2, 0);
    expect(slow.vsSiblingsPct!).toBeLessThan(-25);
    expect(slow.flags[0]!.text).toMatch(/^1\.\d MB\/s, 3\d(\.\d)? % below the median of 4 same-model drives in this batch \(2(\.\d)? MB\/s\)$/);
    expect(slow.patterns[0]!.vsSiblingsPct!).toBeLessThan(-25);
  });

  it("does not flag a drive 10 % slower (inside the 15 % margin)", () => {
    const c = compareBatchSpeeds([
      ...[1, 2, 3].map((jobId) => ({ jobId, model: "M", profile: profileOf(even) })),
      { jobId: 4, model: "M", profile: profileOf(() => 1.8 * MB) },
    ]);
    expect(c.some((d) => d.slow)).toBe(false);
  });

  it("compares only drives of the same model, and needs three of them", () => {
    const c = compareBatchSpeeds([
      { jobId: 1, model: "A", profile: profileOf(even) },
      { jobId: 2, model: "A", profile: profileOf(even) },
      { jobId: 3, model: "B", profile: profileOf(() => 1 * MB) },
      { jobId: 4, model: "A", profile: null },
    ]);
    expect(c.map((d) => d.slow)).toEqual([false, false, false, false]);
    expect(c[2]!.note).toMatch(/only 1 drive of this model/);
    expect(c[3]!.note).toBe("no timed surface test");
  });

  it("flags a region far below the drive's own curve, and not the natural fall-off of a hard disk", () => {
    // A hard disk: 2:1 from the outer to the inner tracks.
    const hdd = (x: number) => (2 - x) * MB;
    const weak = (x: number) => (x >= 0.4 && x < 0.5 ? hdd(x) / 3 : hdd(x));
    const c = compareBatchSpeeds([{ jobId: 1, model: "M", profile: profileOf(hdd) }, { jobId: 2, model: "M", profile: profileOf(weak) }]);
    expect(c[0]!.slow).toBe(false);
    expect(c[1]!.flags.map((f) => [f.kind, f.region])).toEqual([["slow-region", 4]]);
    expect(c[1]!.flags[0]!.text).toMatch(/^region 40–50 % of the disk: 0\.\d MB\/s, \d\d(\.\d)? % below its own curve there \(1\.\d MB\/s\), in 2 of 2 passes$/);
  });

  it("does not flag a region slow in only one pass (a busy moment, not a weak zone)", () => {
    const a = profileOf(even)!;
    const b = profileOf((x) => (x >= 0.4 && x < 0.5 ? (2 / 3) * MB : 2 * MB))!;
    // One pass from the slow-region drive, one from the even one: the region is slow once in two.
    const mixed = { ...a, passes: [a.passes[0]!, b.passes[1]!] };
    expect(compareBatchSpeeds([{ jobId: 1, model: "M", profile: mixed }])[0]!.slow).toBe(false);
  });

  it("leaves out a drive paused for temperature: its clock ran on during the pause", () => {
    const c = compareBatchSpeeds([
      ...[1, 2, 3].map((jobId) => ({ jobId, model: "M", profile: profileOf(even) })),
      { jobId: 4, model: "M", profile: profileOf(() => 1 * MB), paused: true },
    ]);
    expect(c.map((d) => d.slow)).toEqual([false, false, false, false]);
    expect(c[3]!.note).toMatch(/^paused for temperature/);
    expect(c[0]!.siblings).toBe(3);
  });

  it("counts loop devices as one model, whatever their backing files", () => {
    expect(modelKey("loop: /tmp/a/disk.img")).toBe(modelKey("loop device"));
    expect(modelKey("ST4000DM004-2CV104")).not.toBe(modelKey("loop device"));
  });

  it("takes the median", () => {
    expect([median([]), median([3]), median([1, 9, 2]), median([4, 1, 3, 2])]).toEqual([null, 3, 2, 2.5]);
  });
});
