// The host-side scripts, run for real with `sh -c` against real loop devices (no SSH needed here):
// a plain sparse-file loop device (fast) and a slow one (nbdkit memory plugin with a 40 ms delay per
// request, served as a file by nbdfuse, under a loop device) for runs that must still be going.
// Slow (~35 s): the host-side scripts against real badblocks runs, and a day of status lines (7 MB) through each awk.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBadblocksArgv } from "../src/badblocks/command.js";
import { feed, finish, initialState, summary, type ProgressState } from "../src/badblocks/progress.js";
import { buildCancelScript, buildSignalScript, parseCancelOutput, parseSignalOutput } from "../src/remote/scripts.js";
import { buildReadScript, parseReadOutput, type JobRead } from "../src/remote/read-script.js";
import { buildLaunchScript, parseLaunchOutput, runOwner } from "../src/remote/launch-script.js";
import { loopIdentity, ownerFor, testLaunchScript, TEST_INSTALL_ID } from "./helpers/launch.js";
import { squeezeScript } from "../src/remote/squeeze.js";
import { InvalidInputError } from "../src/errors.js";

const tmp = mkdtempSync("/tmp/kiln-test-scripts-");
const loops: string[] = [];
let fuse: { dir: string; pid: number } | null = null;
let fast = "";
let slow = "";
const jobDirs: string[] = [];

const sh = (script: string): Buffer => execFileSync("sh", ["-c", script], { maxBuffer: 64 << 20 });
const shAsync = (script: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", script]);
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", () => resolve(out));
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `ok` until it holds; a generous deadline, for a loaded machine. */
async function waitUntil(ok: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await sleep(50);
  }
}

function attach(file: string): string {
  const dev = execFileSync("losetup", ["--direct-io=on", "-f", "--show", file], { encoding: "utf8" }).trim();
  loops.push(dev);
  return dev;
}

function newJobDir(name: string): string {
  const dir = `${tmp}/jobs/${name}`;
  jobDirs.push(dir);
  return dir;
}

/** badblocks processes whose command line names `device`. */
function badblocksOn(device: string): number[] {
  const r = spawnSync("pgrep", ["-a", "-x", "badblocks"], { encoding: "utf8" });
  return r.stdout.split("\n").filter((l) => l.split(" ").includes(device)).map((l) => Number(l.split(" ")[0]));
}

function launch(jobDir: string, device: string, sizeBytes: number) {
  const argv = buildBadblocksArgv({ device, sizeBytes, outputFile: "badblocks.txt" });
  return parseLaunchOutput(sh(testLaunchScript({ jobDir, argv })));
}

function readOne(jobDir: string, logOffset = 0, bbOffset = 0, maxBytes = 1 << 20): JobRead {
  const r = parseReadOutput(sh(buildReadScript([{ key: "j", jobDir, logOffset, bbOffset, maxBytes }]))).get("j");
  if (!r) throw new Error("no report for the job");
  return r;
}

/** Polls like Kiln will: small reads from the last offsets until the exit file is there and all is read. */
async function followToEnd(jobDir: string, maxBytes: number, patterns?: string[]) {
  let state: ProgressState = initialState(patterns);
  let logOffset = 0;
  let bb = Buffer.alloc(0);
  let reads = 0;
  for (let i = 0; i < 600; i++) {
    const r = readOne(jobDir, logOffset, bb.length, maxBytes);
    reads++;
    if (r.log) {
      expect(r.log.data.length).toBeLessThanOrEqual(maxBytes);
      state = feed(state, r.log.data).state;
      logOffset += r.log.data.length;
    }
    if (r.bb) bb = Buffer.concat([bb, r.bb.data]);
    const drained = (r.log?.size ?? 0) <= logOffset && (r.bb?.size ?? 0) <= bb.length;
    if (r.exit !== null && drained) return { state: finish(state).state, exit: r.exit, bb: bb.toString(), reads, last: r };
    if (r.log && logOffset >= r.log.size) await sleep(200);
  }
  throw new Error("job did not end");
}

beforeAll(() => {
  writeFileSync(`${tmp}/fast.img`, "");
  execFileSync("truncate", ["-s", "32M", `${tmp}/fast.img`]);
  fast = attach(`${tmp}/fast.img`);
  const dir = `${tmp}/fuse`;
  mkdirSync(dir);
  const child = spawn("nbdfuse", [`${dir}/disk`, "--command", "nbdkit", "-s", "--exit-with-parent", "--filter=delay", "memory", "8M", "rdelay=40ms", "wdelay=40ms"], { stdio: "ignore" });
  fuse = { dir, pid: child.pid ?? 0 };
  for (let i = 0; i < 100 && !existsSync(`${dir}/disk`); i++) execFileSync("sleep", ["0.1"]);
  slow = attach(`${dir}/disk`);
});

/** Retries `ok` every 100 ms for up to `ms` (udev may hold a loop device open for a moment). */
function retry(ok: () => boolean, ms: number): boolean {
  for (let waited = 0; waited < ms; waited += 100) {
    if (ok()) return true;
    execFileSync("sleep", ["0.1"]);
  }
  return ok();
}

afterAll(() => {
  for (const dir of jobDirs) {
    if (existsSync(`${dir}/pid`)) spawnSync("sh", ["-c", buildCancelScript(dir, 2)]);
  }
  // Detach once, then wait until the device no longer points into our tmp dir (it may be reused
  // by someone else right away, so never detach it twice).
  for (const dev of loops) spawnSync("losetup", ["-d", dev]);
  const ours = (dev: string) => spawnSync("losetup", ["-n", "-O", "BACK-FILE", dev], { encoding: "utf8" }).stdout.includes(tmp);
  retry(() => !loops.some(ours), 10_000);
  if (fuse) {
    const dir = fuse.dir;
    if (!retry(() => spawnSync("fusermount3", ["-u", dir]).status === 0, 10_000)) spawnSync("fusermount3", ["-u", "-z", dir]);
    retry(() => spawnSync("kill", ["-0", String(fuse?.pid)]).status !== 0, 5000);
  }
  rmSync(tmp, { recursive: true, force: true });
});

describe("launching and following a real badblocks", () => {
  it("starts once, reports the running job on a second launch, and reads it to a completed pass", async () => {
    const jobDir = newJobDir("full");
    const first = launch(jobDir, slow, 8 << 20);
    expect(first.kind).toBe("started");
    const again = launch(jobDir, slow, 8 << 20);
    expect(again).toEqual({ kind: "existing", pgid: (first as { pgid: number }).pgid, alive: true });
    expect(badblocksOn(slow)).toHaveLength(1);
    const running = readOne(jobDir);
    expect(running).toMatchObject({ found: true, exit: null, alive: true, bbAlive: true, pgid: (first as { pgid: number }).pgid });

    const end = await followToEnd(jobDir, 100);
    expect(end.reads).toBeGreaterThan(5);
    expect(end.exit).toBe("0");
    expect(end.bb).toBe("");
    expect(end.state.terminal).toEqual({ kind: "completed", badBlocks: 0, errors: { read: 0, write: 0, corrupt: 0 } });
    expect(summary(end.state).phaseSeconds.every((s) => s !== null)).toBe(true);
    expect(end.last).toMatchObject({ alive: false, bbAlive: false });
    expect(badblocksOn(slow)).toHaveLength(0);
    expect(launch(jobDir, slow, 8 << 20)).toMatchObject({ kind: "existing", alive: false });
  });

  it("lets only one of several simultaneous launches start badblocks", async () => {
    const jobDir = newJobDir("race");
    const argv = buildBadblocksArgv({ device: fast, sizeBytes: 32 << 20, outputFile: "badblocks.txt" });
    const script = testLaunchScript({ jobDir, argv });
    const results = (await Promise.all([1, 2, 3, 4].map(() => shAsync(script)))).map(parseLaunchOutput);
    expect(results.filter((r) => r.kind === "started")).toHaveLength(1);
    expect(results.filter((r) => r.kind === "existing")).toHaveLength(3);
    const end = await followToEnd(jobDir, 1 << 20);
    expect(end.state.terminal?.kind).toBe("completed");
    const log = readFileSync(`${jobDir}/progress.log`, "latin1");
    expect(log.match(/Pass completed/g)).toHaveLength(1);
  });

  it("squeezes the log of a running job down to the records that matter", async () => {
    const jobDir = newJobDir("squeeze");
    const argv = buildBadblocksArgv({ device: slow, sizeBytes: 8 << 20, outputFile: "badblocks.txt", blocksAtOnce: 16, patterns: ["0xaa"] });
    expect(parseLaunchOutput(sh(testLaunchScript({ jobDir, argv, squeezeSeconds: 60 }))).kind).toBe("started");
    const end = await followToEnd(jobDir, 1 << 20, ["0xaa"]);
    const log = readFileSync(`${jobDir}/progress.log`, "latin1");
    const bare = log.split("\n").filter((l) => /^ *\d+\.\d+% done/.test(l));
    // ~1 status line a second for 8+ s; only the last one of each of the 2 phases is kept.
    expect(end.state.elapsedSeconds).toBeGreaterThanOrEqual(8);
    expect(bare.length).toBeLessThanOrEqual(2);
    expect(bare.every((l) => Number(l.trim().split("%")[0]) > 50)).toBe(true);
    expect(log).not.toContain("\b");
    expect(log.length).toBeLessThan(600);
    expect(end.state.terminal?.kind).toBe("completed");
    expect(summary(end.state).phaseSeconds.every((s) => s !== null && s >= 3)).toBe(true);
  });
});

describe("on a host with only busybox", () => {
  const busybox = spawnSync("sh", ["-c", "command -v busybox"], { encoding: "utf8" }).stdout.trim();
  it.skipIf(!busybox)("runs, reads and cancels a job with busybox's sh, awk and tools", async () => {
    const bin = `${tmp}/busybox-bin`;
    mkdirSync(bin);
    for (const applet of ["sh", "awk", "tr", "tail", "head", "wc", "cat", "mkdir", "mkfifo", "setsid", "sed", "sleep", "mv", "rm", "mktemp", "printf", "flock", "readlink", "rmdir", "chmod"]) {
      symlinkSync(busybox, `${bin}/${applet}`);
    }
    const env = { PATH: `${bin}:/usr/sbin:/sbin`, HOME: process.env.HOME ?? "/root" };
    const bsh = (script: string) => execFileSync(`${bin}/sh`, ["-c", script], { env });
    const jobDir = newJobDir("busybox");
    const argv = buildBadblocksArgv({ device: slow, sizeBytes: 8 << 20, outputFile: "badblocks.txt" });
    const started = parseLaunchOutput(bsh(testLaunchScript({ jobDir, argv })));
    if (started.kind !== "started") throw new Error(`launch: ${JSON.stringify(started)}`);
    expect(readlinkSync(`/proc/${started.pgid}/exe`)).toBe(busybox);
    const read = () => parseReadOutput(bsh(buildReadScript([{ key: "b", jobDir, logOffset: 0, bbOffset: 0, maxBytes: 1 << 20 }]))).get("b");
    // wait for badblocks' first header to reach the log (the slow disk keeps it running for long)
    await waitUntil(() => read()?.log?.data.toString("latin1").includes("Testing with pattern 0xaa") ?? false);
    const running = read();
    expect(running).toMatchObject({ alive: true, bbAlive: true, exit: null });
    expect(running?.log?.data.toString("latin1")).toContain("Testing with pattern 0xaa");
    expect(parseCancelOutput(bsh(buildCancelScript(jobDir)))).toBe("gone");
    expect(badblocksOn(slow)).toHaveLength(0);
    const done = read();
    expect(done?.exit).not.toBeNull();
    expect(feed(initialState(), done?.log?.data ?? Buffer.alloc(0)).state.terminal?.kind).toBe("interrupted");
  });
});

describe("cancelling and pausing", () => {
  it("pauses and resumes the whole process group", async () => {
    const jobDir = newJobDir("pause");
    const started = launch(jobDir, slow, 8 << 20);
    expect(started.kind).toBe("started");
    const bbPid = Number(readFileSync(`${jobDir}/bb.pid`, "utf8"));
    const state = () => readFileSync(`/proc/${bbPid}/stat`, "utf8").split(") ")[1]?.[0];
    expect(parseSignalOutput(sh(buildSignalScript(jobDir, "STOP")))).toBe("sent");
    await waitUntil(() => state() === "T");
    const before = readOne(jobDir).log?.size;
    await sleep(2500); // a stopped group writes nothing, however long we look
    expect(readOne(jobDir).log?.size).toBe(before);
    expect(state()).toBe("T");
    expect(parseSignalOutput(sh(buildSignalScript(jobDir, "CONT")))).toBe("sent");
    await waitUntil(() => state() !== "T");
  });

  it("cancels a paused job: badblocks is gone, says where it stopped, and the exit is written", async () => {
    const jobDir = newJobDir("pause");
    expect(parseSignalOutput(sh(buildSignalScript(jobDir, "STOP")))).toBe("sent");
    expect(parseCancelOutput(sh(buildCancelScript(jobDir, 10)))).toBe("gone");
    expect(badblocksOn(slow)).toHaveLength(0);
    const end = await followToEnd(jobDir, 1 << 20);
    expect(end.state.terminal?.kind).toBe("interrupted");
    expect(end.exit).not.toBe("0");
    expect(parseCancelOutput(sh(buildCancelScript(jobDir)))).toBe("gone");
    expect(parseSignalOutput(sh(buildSignalScript(jobDir, "CONT")))).toBe("none");
  });

  it("says none for a job that was never started", () => {
    expect(parseCancelOutput(sh(buildCancelScript(`${tmp}/jobs/never`)))).toBe("none");
    expect(parseSignalOutput(sh(buildSignalScript(`${tmp}/jobs/never`, "STOP")))).toBe("none");
  });

  it("never signals a recycled pid that is not this job's", async () => {
    const jobDir = newJobDir("recycled");
    mkdirSync(jobDir, { recursive: true });
    const stranger = spawn("sleep", ["30"], { detached: true, stdio: "ignore" });
    try {
      writeFileSync(`${jobDir}/pid`, `${stranger.pid}\n`);
      writeFileSync(`${jobDir}/bb.pid`, `${stranger.pid}\n`);
      writeFileSync(`${jobDir}/device`, `${slow}\n`);
      writeFileSync(`${jobDir}/owner`, `${ownerFor(jobDir, loopIdentity(slow))}\n`); // this run's own dir
      expect(readOne(jobDir)).toMatchObject({ pgid: stranger.pid, alive: false, bbAlive: false });
      expect(parseCancelOutput(sh(buildCancelScript(jobDir, 1)))).toBe("gone");
      expect(parseSignalOutput(sh(buildSignalScript(jobDir, "STOP")))).toBe("none");
      expect(launch(jobDir, slow, 8 << 20)).toEqual({ kind: "existing", pgid: stranger.pid, alive: false });
      expect(stranger.exitCode).toBeNull();
      expect(readFileSync(`/proc/${stranger.pid}/stat`, "utf8").split(") ")[1]?.[0]).toBe("S");
    } finally {
      stranger.kill("SIGKILL");
    }
  });
});

describe("reading job files", () => {
  it("reports a missing dir, missing files and a log shorter than the offset", () => {
    expect(readOne(`${tmp}/jobs/nowhere`)).toMatchObject({ found: false, log: null, bb: null, exit: null, pgid: null, alive: false });
    const dir = newJobDir("short");
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/progress.log`, "0123456789");
    const r = readOne(dir, 100, 0, 50);
    expect(r).toMatchObject({ found: true, bb: null, exit: null, pgid: null });
    expect(r.log).toEqual({ size: 10, offset: 100, data: Buffer.alloc(0), truncated: true });
  });

  it("carries any bytes intact, several jobs in one answer, at most maxBytes each", () => {
    const every = Buffer.from(Array.from({ length: 3 * 256 }, (_, i) => i % 256));
    const framing = Buffer.from("\nKILN-END\nKILN-JOB x\nKILN-FILE log 1 0 1\n");
    const dirs = ["bin-a", "bin-b"].map((name) => {
      const dir = newJobDir(name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${dir}/progress.log`, Buffer.concat([framing, every, framing]));
      writeFileSync(`${dir}/badblocks.txt`, "100\n101\n");
      writeFileSync(`${dir}/exit`, "0\n");
      return dir;
    });
    const full = Buffer.concat([framing, every, framing]);
    const out = parseReadOutput(sh(buildReadScript([
      { key: "a", jobDir: dirs[0]!, logOffset: 0, bbOffset: 4, maxBytes: 1 << 20 },
      { key: "b", jobDir: dirs[1]!, logOffset: 7, bbOffset: 0, maxBytes: 300 },
    ])));
    expect([...out.keys()]).toEqual(["a", "b"]);
    expect(out.get("a")?.log?.data.equals(full)).toBe(true);
    expect(out.get("a")?.bb?.data.toString()).toBe("101\n");
    expect(out.get("a")?.exit).toBe("0");
    expect(out.get("b")?.log?.data.equals(full.subarray(7, 307))).toBe(true);
    expect(out.get("b")?.log?.size).toBe(full.length);
  });

  it("drops a job whose report was cut off instead of returning half of it", () => {
    const dir = newJobDir("cut");
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/progress.log`, "x".repeat(1000));
    const whole = sh(buildReadScript([{ key: "a", jobDir: `${tmp}/jobs/nowhere`, logOffset: 0, bbOffset: 0, maxBytes: 10 }, { key: "b", jobDir: dir, logOffset: 0, bbOffset: 0, maxBytes: 2000 }]));
    expect([...parseReadOutput(whole).keys()]).toEqual(["a", "b"]);
    expect([...parseReadOutput(whole.subarray(0, whole.length - 600)).keys()]).toEqual(["a"]);
  });
});

describe("refusing hostile input before any script exists", () => {
  const argv = ["badblocks", "-w", "-s", "-v", "-o", "badblocks.txt", "/dev/loop0"];
  const identity = { path: "/dev/loop0", sizeBytes: 1 << 20, serial: null, wwn: null, backingFile: "/tmp/disk.img" };
  const owner = runOwner(TEST_INSTALL_ID, "0".repeat(32), identity);
  it.each([
    ["a work dir with a command in it", () => buildLaunchScript({ jobDir: "/tmp/x$(reboot)", argv, owner, identity })],
    ["a relative work dir", () => buildLaunchScript({ jobDir: "kiln/jobs/1", argv, owner, identity })],
    ["a work dir climbing out", () => buildCancelScript("~/../../etc")],
    ["a device with a semicolon", () => buildLaunchScript({ jobDir: "~/kiln/1", argv: [...argv.slice(0, -1), "/dev/sda;reboot"], owner, identity: { ...identity, path: "/dev/sda;reboot" } })],
    ["a device given apart from the argv", () => buildLaunchScript({ jobDir: "~/kiln/1", argv, owner, identity: { ...identity, path: "/dev/sdb" } })],
    ["a command that is not badblocks", () => buildLaunchScript({ jobDir: "~/kiln/1", argv: ["rm", "-rf", "/dev/loop0"], owner, identity })],
    ["a launch without its run's owner line", () => buildLaunchScript({ jobDir: "~/kiln/1", argv, owner: "", identity })],
    ["a run token that is not hex", () => runOwner(TEST_INSTALL_ID, "$(reboot)".padEnd(32, "0"), identity)],
    ["a read key with a space", () => buildReadScript([{ key: "a b", jobDir: "~/k", logOffset: 0, bbOffset: 0, maxBytes: 1 }])],
    ["a negative offset", () => buildReadScript([{ key: "a", jobDir: "~/k", logOffset: -1, bbOffset: 0, maxBytes: 1 }])],
    ["a signal other than STOP and CONT", () => buildSignalScript("~/k", "KILL" as "STOP")],
  ])("rejects %s", (_what, build) => {
    expect(build).toThrow(InvalidInputError);
  });
});

describe("the log squeezer", () => {
  const awks = ["awk", "gawk", "busybox awk"].filter((a) => spawnSync("sh", ["-c", `command -v ${a.split(" ")[0]}`]).status === 0);
  const squeeze = (input: Buffer, awk: string, seconds = 5): Buffer =>
    execFileSync("sh", ["-c", squeezeScript(seconds, awk)], { input, maxBuffer: 64 << 20 });
  const fixture = (name: string) => readFileSync(new URL(`./fixtures/badblocks/${name}.stderr`, import.meta.url));
  const outcome = (log: Buffer, patterns?: string[]) => {
    const r = feed(initialState(patterns), log);
    const f = finish(r.state);
    const events = [...r.events, ...f.events].filter((e) => e.type !== "progress");
    const s = summary(f.state);
    return { events, terminal: s.terminal, phaseSeconds: s.phaseSeconds, overall: s.overallPct, errors: s.errors };
  };

  /** A day of badblocks stderr: 8 phases, one status a second, then Pass completed. */
  function dayLog(): Buffer {
    const parts: string[] = [];
    const clock = (t: number) => {
      const h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = String(t % 60).padStart(2, "0");
      return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
    };
    const patterns = ["0xaa", "0x55", "0xff", "0x00"];
    for (let t = 0; t < 86400; t++) {
      const phase = Math.floor(t / 10800), within = t % 10800;
      const status = `${((within / 10800) * 100).toFixed(2).padStart(6)}% done, ${clock(t)} elapsed. (0/0/0 errors)`;
      if (within === 0) parts.push(phase % 2 === 0 ? `Testing with pattern ${patterns[phase / 2]}: ` : "Reading and comparing: ");
      parts.push(status, "\b".repeat(status.length));
      if (within === 10799) parts.push(`done${" ".repeat(49)}\n`);
    }
    parts.push("Pass completed, 0 bad blocks found. (0/0/0 errors)\n");
    return Buffer.from(parts.join(""), "latin1");
  }

  it.each(awks)("keeps what the parser needs from real runs (%s)", (awk) => {
    for (const [name, patterns] of [["good-slow"], ["bad-4k"], ["abort-e1"], ["interrupted"], ["random-bad", ["random"]]] as const) {
      const raw = fixture(name);
      const squeezed = squeeze(raw, awk, 2);
      expect(squeezed.length).toBeLessThan(raw.length);
      expect(outcome(squeezed, patterns ? [...patterns] : undefined)).toEqual(outcome(raw, patterns ? [...patterns] : undefined));
    }
  });

  it.each(awks)("keeps a day of status lines far under 5 MB (%s)", (awk) => {
    const raw = dayLog();
    expect(raw.length).toBeGreaterThan(7_000_000);
    const squeezed = squeeze(raw, awk, 5);
    expect(squeezed.length).toBeLessThan(1_000_000);
    expect(outcome(squeezed)).toEqual(outcome(raw));
    const lines = squeezed.toString("latin1").split("\n");
    expect(lines.filter((l) => l.includes("% done")).length).toBeGreaterThan(86400 / 5 - 10);
  }, 300_000);

  it.each(awks)("passes each record on as it arrives, without waiting for more input (%s)", async (awk) => {
    const child = spawn("sh", ["-c", squeezeScript(5, awk)]);
    try {
      // mawk -W interactive writes the record and its newline separately: collect up to the newline.
      let got = "";
      const first = new Promise<string>((resolve) =>
        child.stdout.on("data", (d: Buffer) => {
          got += d.toString("latin1");
          if (got.includes("\n")) resolve(got);
        }),
      );
      child.stdin.write("Testing with pattern 0xaa:   0.00% done, 0:00 elapsed. (0/0/0 errors)\b\b\b");
      // Without the fix a record waits for a full input buffer (minutes): 30 s tells the two apart.
      const line = await Promise.race([first, sleep(30_000).then(() => `only ${JSON.stringify(got)} within 30 s`)]);
      expect(line).toBe("Testing with pattern 0xaa:   0.00% done, 0:00 elapsed. (0/0/0 errors)\n");
    } finally {
      child.kill("SIGKILL");
    }
  });
});
