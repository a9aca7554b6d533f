// Issue 9, item 3: a finished run must never end `unknown` because a poll saw the exit file but not
// the log's last record. A tight loop of short real runs (real badblocks on a loop device, the real
// launch and read scripts under `sh`, the real Follower), each polled back to back by two readers
// so a poll lands on the moment the wrapper finishes as often as the machine allows.
import { execFileSync, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBadblocksArgv } from "../src/badblocks/command.js";
import { Follower, type Outcome } from "../src/surface/follower.js";
import { buildReadScript, parseReadOutput } from "../src/remote/read-script.js";
import { parseLaunchOutput } from "../src/remote/launch-script.js";
import { testLaunchScript } from "./helpers/launch.js";
import { createLoopDevice, type LoopDevice } from "./helpers/testhost.js";
import { makeTempDir } from "./helpers/tempdir.js";

const RUNS = 40;
let disk: LoopDevice;
let work: string;

const sh = (script: string): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", script]);
    const out: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.on("error", reject);
    child.on("close", () => resolve(Buffer.concat(out)));
  });

beforeAll(() => {
  disk = createLoopDevice({ sizeMiB: 1 });
  work = makeTempDir("readorder");
});

afterAll(() => {
  disk?.detach();
  execFileSync("rm", ["-rf", work]);
});

/** One short run followed to its end the way a host's reader follows it. */
async function oneRun(n: number): Promise<Outcome> {
  const jobDir = `${work}/jobs/${n}`;
  const argv = buildBadblocksArgv({ device: disk.device, sizeBytes: 1 << 20, outputFile: "badblocks.txt", patterns: ["0xaa"], blockSize: 4096, blocksAtOnce: 16 });
  const launched = parseLaunchOutput(await sh(testLaunchScript({ jobDir, argv, squeezeSeconds: 1 })));
  expect(launched.kind).toBe("started");
  const follower = new Follower({ jobId: n, stageId: n, jobDir, patterns: ["0xaa"], logOffset: 0, bbOffset: 0, parserState: null, badBlocks: [], logTail: [] });
  let end: Outcome | null = null;
  // Two pollers in flight at once; each answer is applied in order of arrival, as the reader would.
  const poller = async () => {
    for (let i = 0; i < 2000 && !end; i++) {
      const read = parseReadOutput(await sh(buildReadScript([{ key: "j", jobDir, logOffset: follower.logOffset, bbOffset: follower.bbOffset, maxBytes: 1 << 20 }]))).get("j");
      if (end) return;
      // Answers to polls sent from an older offset are dropped, as one reader never has two in flight.
      if (read?.log && read.log.offset !== follower.logOffset) continue;
      const step = follower.apply(read, Date.now(), 0);
      if (step.commit) follower.committed(Date.now());
      if (step.outcome) end = step.outcome;
    }
  };
  await Promise.all([poller(), poller()]);
  if (!end) throw new Error(`run ${n} did not end`);
  return end;
}

describe("a finished run read at the moment it ends", () => {
  it(`ends every one of ${RUNS} short runs passed, none unknown`, async () => {
    const outcomes: Outcome[] = [];
    for (let n = 0; n < RUNS; n++) outcomes.push(await oneRun(n));
    const unknown = outcomes.filter((o) => o.status === "unknown");
    expect(unknown.map((o) => o.errorText)).toEqual([]);
    expect(outcomes.every((o) => o.status === "passed")).toBe(true);
  }, 600_000);
});
