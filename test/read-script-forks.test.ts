// The read script a poll runs for every job of a host, under a real `sh`, with the programs it runs
// counted and faults put into `wc` (wrappers first on the PATH): a poll forks per host, not per job,
// and whatever `wc` lists, leaves out or quotes, every job's bytes stay framed and exact.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReadScript, parseReadOutput, type ReadRequest } from "../src/remote/read-script.js";
import { hostVerbs } from "../src/hosts/verbs.js";
import { makeTempDir } from "./helpers/tempdir.js";

const PROGRAMS = ["wc", "tail", "head", "cat", "tr", "mktemp", "rm"];
let tmp = "";
let bin = "";
let reqs: ReadRequest[] = [];

/** Bytes a naive framing would trip on: newlines, the answer's own keywords, every byte value. */
const awkward = (i: number) =>
  Buffer.concat([Buffer.from(`\nKILN-END\nKILN-DATA\nKILN-JOB x${i}\nKILN-FILE log 1 0 1\n`), Buffer.from(Array.from({ length: 300 + i }, (_, k) => (k * 7 + i) % 256))]);

function run(env: Record<string, string> = {}, shell = "sh") {
  const log = path.join(tmp, `ran-${Math.random().toString(36).slice(2)}`);
  writeFileSync(log, "");
  const out = execFileSync(shell, ["-c", buildReadScript(reqs)], {
    env: { PATH: `${bin}:/usr/bin:/bin`, HOME: tmp, KILN_TEST_RAN: log, ...env },
    maxBuffer: 64 << 20,
  });
  const ran = readFileSync(log, "utf8").split("\n").filter(Boolean);
  return { reads: parseReadOutput(out), ran, count: (p: string) => ran.filter((x) => x === p).length };
}

beforeAll(() => {
  tmp = makeTempDir("readforks");
  bin = path.join(tmp, "bin");
  mkdirSync(bin);
  for (const p of PROGRAMS) {
    const real = execFileSync("sh", ["-c", `command -v ${p}`], { encoding: "utf8" }).trim();
    // A counting wrapper; `wc` can also be made to leave out (KILN_TEST_WC_DROP, a sed address) or
    // quote the names it lists, or to delete a file once it has listed it.
    const body =
      p === "wc"
        ? `${real} "$@" | { if [ -n "$KILN_TEST_WC_QUOTE" ]; then sed "s|^\\( *[0-9]*\\) \\(.*\\)$|\\1 '\\2'|"; elif [ -n "$KILN_TEST_WC_DROP" ]; then sed "\${KILN_TEST_WC_DROP}d"; else sed -n p; fi; }
[ -n "$KILN_TEST_WC_UNLINK" ] && rm -f "$KILN_TEST_WC_UNLINK"
exit 0`
        : `exec ${real} "$@"`;
    writeFileSync(path.join(bin, p), `#!/bin/sh\necho ${p} >> "$KILN_TEST_RAN"\n${body}\n`);
    chmodSync(path.join(bin, p), 0o755);
  }
  // 12 jobs of this run: 3 with new log bytes (one also new bad blocks), 9 read up to their end; plus
  // a dir of another run and a missing dir.
  reqs = [];
  for (let i = 0; i < 12; i++) {
    const dir = path.join(tmp, "jobs", `${i}-1-abc`);
    mkdirSync(dir, { recursive: true });
    const log = awkward(i);
    writeFileSync(path.join(dir, "progress.log"), log);
    writeFileSync(path.join(dir, "owner"), "mine\n");
    if (i === 3) writeFileSync(path.join(dir, "badblocks.txt"), "100\n101\n");
    if (i === 5) writeFileSync(path.join(dir, "exit"), "0\n");
    const fresh = i % 4 === 3 || i === 0;
    reqs.push({ key: `j${i}`, jobDir: dir, logOffset: fresh ? 5 : log.length, bbOffset: 0, maxBytes: 1 << 20, owner: "mine" });
  }
  const foreign = path.join(tmp, "jobs", "other");
  mkdirSync(foreign);
  writeFileSync(path.join(foreign, "owner"), "theirs\n");
  writeFileSync(path.join(foreign, "progress.log"), "secret");
  reqs.push({ key: "foreign", jobDir: foreign, logOffset: 0, bbOffset: 0, maxBytes: 100, owner: "mine" });
  reqs.push({ key: "gone", jobDir: path.join(tmp, "jobs", "nowhere"), logOffset: 0, bbOffset: 0, maxBytes: 100, owner: "mine" });
});

const kids: ChildProcess[] = [];
afterAll(() => {
  for (const k of kids) stop(k);
  rmSync(tmp, { recursive: true, force: true });
});

/** A process working in `dir` whose command line reads like `args` (a shell that sleeps), in a group of its own. */
function processIn(dir: string, ...args: string[]): ChildProcess {
  const k = spawn("sh", ["-c", "sleep 600; :", ...args], { cwd: dir, stdio: "ignore", detached: true });
  kids.push(k);
  return k;
}

/** A job dir on /dev/loop9 whose pid and bb.pid name a process working in it with this command line. */
function jobDirWithProcess(name: string, ...args: string[]): { dir: string; proc: ChildProcess } {
  const dir = path.join(tmp, "jobs", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "progress.log"), "x");
  writeFileSync(path.join(dir, "device"), "/dev/loop9\n");
  const proc = processIn(dir, ...args);
  writeFileSync(path.join(dir, "pid"), `${proc.pid}\n`);
  writeFileSync(path.join(dir, "bb.pid"), `${proc.pid}\n`);
  return { dir, proc };
}

const bootId = () => readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();

function stop(k: ChildProcess): void {
  try {
    process.kill(-k.pid!, "SIGKILL");
  } catch {
    /* gone */
  }
}

describe("the read script of a poll", () => {
  // /bin/sh is dash on Debian and TrueNAS SCALE, bash on others.
  it.each(["sh", "bash"])("reads every job exactly under %s: new bytes from the offset, sizes, exit, a foreign and a missing dir", (shell) => {
    const { reads } = run({}, shell);
    expect([...reads.keys()]).toEqual(reqs.map((r) => r.key));
    for (let i = 0; i < 12; i++) {
      const r = reads.get(`j${i}`)!;
      const full = awkward(i);
      expect(r.log).toEqual({ size: full.length, offset: reqs[i]!.logOffset, data: full.subarray(reqs[i]!.logOffset), truncated: false });
      expect(r.bb).toEqual(i === 3 ? { size: 8, offset: 0, data: Buffer.from("100\n101\n"), truncated: false } : null);
      expect(r.exit).toBe(i === 5 ? "0" : null);
    }
    expect(reads.get("foreign")).toMatchObject({ foreign: true, log: null });
    // The host says what the read cost it (the reader polls at most a quarter of that CPU time).
    expect(reads.hostCpuMs).toBeGreaterThanOrEqual(0);
    expect(reads.get("gone")).toMatchObject({ found: false, log: null });
  });

  it("forks per poll, not per job: one wc for all sizes, one tail per file that grew, one wc and one cat for all bytes", () => {
    const { count } = run();
    // j0, j3 (log and bad blocks), j7, j11 grew: 5 files.
    expect({ wc: count("wc"), tail: count("tail"), head: count("head"), cat: count("cat"), tr: count("tr") }).toEqual({ wc: 2, tail: 5, head: 0, cat: 1, tr: 0 });
  });

  it("caps a file's bytes at maxBytes with head when more is waiting", () => {
    const saved = reqs;
    reqs = [{ ...saved[0]!, logOffset: 0, maxBytes: 40 }];
    try {
      const { reads, count } = run();
      expect(reads.get("j0")?.log?.data).toEqual(awkward(0).subarray(0, 40));
      expect(count("head")).toBe(1);
    } finally {
      reqs = saved;
    }
  });

  it.each([
    ["leaves out a file it was asked to size", { KILN_TEST_WC_DROP: "\\|/3-1-abc/progress.log$|" }],
    ["leaves out a chunk it was asked to count", { KILN_TEST_WC_DROP: "\\|/4.log$|" }],
    ["quotes every name it lists", { KILN_TEST_WC_QUOTE: "1" }],
  ])("gives the same answer when wc %s (the file is sized alone)", (_, env) => {
    const plain = run().reads;
    const { reads, count } = run(env);
    expect(reads).toEqual(plain);
    expect(count("wc")).toBeGreaterThan(2);
  });

  it("keeps the framing when a file vanishes between its size and its read", () => {
    const vanishing = path.join(reqs[3]!.jobDir, "badblocks.txt");
    try {
      const { reads } = run({ KILN_TEST_WC_UNLINK: vanishing });
      expect([...reads.keys()]).toEqual(reqs.map((r) => r.key));
      expect(reads.get("j3")?.bb).toEqual({ size: 8, offset: 0, data: Buffer.alloc(0), truncated: false });
      for (const i of [0, 3, 7, 11]) expect(reads.get(`j${i}`)?.log?.data).toEqual(awkward(i).subarray(reqs[i]!.logOffset));
    } finally {
      writeFileSync(vanishing, "100\n101\n");
    }
  });

  it("knows a badblocks process it found before by boot id, pid and start time, without reading its command line again", () => {
    const saved = reqs;
    const { dir, proc: bb } = jobDirWithProcess("live-1-abc", "badblocks", "-w", "/dev/loop9", "x");
    reqs = [{ key: "live", jobDir: dir, logOffset: 1, bbOffset: 0, maxBytes: 100 }];
    try {
      const first = run();
      const found = first.reads.get("live")!;
      expect(found).toMatchObject({ alive: true, bbAlive: true });
      const boot = bootId();
      const started = readFileSync(`/proc/${bb.pid}/stat`, "utf8").split(") ")[1]!.split(" ")[19];
      expect(found.process).toBe(`${boot}:${bb.pid}:${started}`);
      expect(first.count("tr")).toBe(1);

      reqs = [{ ...reqs[0]!, knownProcess: found.process }];
      const again = run();
      expect(again.reads.get("live")).toMatchObject({ alive: true, bbAlive: true, process: found.process });
      expect(again.count("tr")).toBe(0);

      // Another start time or another boot: a process not seen before, checked by its command line.
      for (const stale of [`${boot}:${bb.pid}:1`, `00000000-0000-0000-0000-000000000000:${bb.pid}:${started}`]) {
        reqs = [{ ...reqs[0]!, knownProcess: stale }];
        const checked = run();
        expect(checked.reads.get("live")).toMatchObject({ bbAlive: true, process: found.process });
        expect(checked.count("tr")).toBe(1);
      }
    } finally {
      stop(bb);
      reqs = saved;
    }
  });

  it("never takes a pid reused by another process for the badblocks it knew", () => {
    const saved = reqs;
    // The pid files name a process of this dir that is not badblocks on the device (a reused pid);
    // Kiln remembers badblocks under that pid with another start time.
    const { dir, proc: stranger } = jobDirWithProcess("reused-1-abc", "not-it", "/dev/loop9");
    reqs = [{ key: "reused", jobDir: dir, logOffset: 1, bbOffset: 0, maxBytes: 100, knownProcess: `${bootId()}:${stranger.pid}:7` }];
    try {
      expect(run().reads.get("reused")).toMatchObject({ alive: false, bbAlive: false, process: null });
    } finally {
      stop(stranger);
      reqs = saved;
    }
  });

  it("refuses a known process that is not boot id:pid:start time before any script exists", () => {
    expect(() => buildReadScript([{ key: "k", jobDir: "/tmp/x", logOffset: 0, bbOffset: 0, maxBytes: 1, knownProcess: "x:1:2'; reboot" }])).toThrow(/known process/);
  });

  it("reads the CPU time the host reports after the bytes, and none from an answer that has none", () => {
    const answer = (cpu: string) => Buffer.from(`KILN-JOB a\nKILN-EXIT -\nKILN-FILE log 3 0 3\nKILN-FILE bb - 0 0\nKILN-PROC - 0 0 -\nKILN-END\nKILN-DATA\nabc\n${cpu}KILN-DONE\n`);
    expect(parseReadOutput(answer("KILN-CPU 0m0.004000s 0m0.000000s 1m0.012000s 0m0.008000s\n")).hostCpuMs).toBeCloseTo(60_024, 6);
    expect(parseReadOutput(answer("KILN-CPU 0m0.01s 0m0.02s\n")).hostCpuMs).toBeUndefined();
    const plain = parseReadOutput(answer(""));
    expect(plain.hostCpuMs).toBeUndefined();
    expect(plain.get("a")?.log?.data.toString()).toBe("abc");
  });

  it("reads a 300-bay host's jobs in as few scripts as fit one sh -c argument, every job answered", async () => {
    // Linux caps one argument at 128 KiB (E2BIG): 300 jobs with real-length owner lines need more.
    const owner = `kiln-run ${"0123456789abcdef".repeat(4)} /dev/disk/by-id/wwn-0x5000c500abcdef12 16000900661248 ZL2ABCDE`;
    const many: ReadRequest[] = Array.from({ length: 300 }, (_, i) => ({
      key: String(i), jobDir: path.join(reqs[0]!.jobDir, "..", `${10_000 + i}-3-${"0123456789abcdef".repeat(2)}`), logOffset: 0, bbOffset: 0, maxBytes: 1 << 20, owner,
      knownProcess: `238b38ab-195e-41a6-99e3-bf3cf19bf520:${4_000_000 + i}:2540496`,
    }));
    expect(() => execFileSync("sh", ["-c", buildReadScript(many)], { env: { PATH: "/usr/bin:/bin" } })).toThrow(/E2BIG/);
    const scripts: number[] = [];
    const verbs = hostVerbs(async (script) => {
      scripts.push(script.length);
      return { code: 0, signal: null, stdout: execFileSync("sh", ["-c", script], { env: { PATH: "/usr/bin:/bin", HOME: tmp }, maxBuffer: 64 << 20 }), stderr: Buffer.alloc(0) };
    });
    const answer = await verbs.read(many);
    expect(scripts.length).toBeGreaterThan(1);
    for (const n of scripts) expect(n).toBeLessThanOrEqual(48 * 1024);
    expect([...answer.keys()]).toEqual(many.map((r) => r.key));
    expect([...answer.values()].every((j) => !j.found)).toBe(true);
    expect(answer.hostCpuMs).toBeGreaterThanOrEqual(0);
  });
});
