// Scenario 1: the same badblocks -wsv pass on the same loop device, run directly and run by Kiln
// through sshd on loopback, alternating. Kiln's wall time runs from the API start call to the SSE
// event carrying the job's terminal status; badblocks' own elapsed comes from each run's log.
import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { createLoopDevice } from "../test/helpers/testhost.js";
import { startBench, TERMINAL } from "./harness.js";
import { median, spread } from "./stats.js";

const med = (xs: number[]) => median(xs).toFixed(2);

export interface OverheadOptions {
  pairs: number;
  sizeMiB: number;
}

/** badblocks' last `M:SS` / `H:MM:SS` elapsed in its progress stream, in seconds. */
export function lastElapsed(text: string): number {
  const all = [...text.matchAll(/([\d:]+) elapsed/g)];
  const last = all.at(-1)?.[1];
  if (!last) return NaN;
  return last.split(":").reduce((t, p) => t * 60 + Number(p), 0);
}

function direct(device: string): Promise<{ wall: number; elapsed: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn("badblocks", ["-wsv", "-b", "4096", "-c", "64", device], {
      env: { ...process.env, LC_ALL: "C" }, stdio: ["ignore", "ignore", "pipe"],
    });
    const chunks: Buffer[] = [];
    child.stderr.on("data", (c: Buffer) => chunks.push(c));
    child.once("error", reject);
    child.once("exit", (code) => {
      const wall = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`direct badblocks exited ${code}`));
      resolve({ wall, elapsed: lastElapsed(Buffer.concat(chunks).toString("latin1")) });
    });
  });
}

interface Row {
  direct: number;
  kiln: number;
  bbDirect: number;
  bbKiln: number;
  /** The start API call (it re-scans the host so in-use reasons are fresh). */
  api: number;
  /** Start call answered → the job's wrapper wrote its pid (scheduler tick + launch over SSH). */
  launch: number;
  /** pid file → exit file: the life of badblocks under Kiln (the wrapper writes both). */
  process: number;
  /** exit file → terminal SSE event at the client (poll + commit + publish). */
  notice: number;
}

export async function overhead(o: OverheadOptions): Promise<string> {
  const disk = createLoopDevice({ sizeMiB: o.sizeMiB, name: "overhead" });
  const bench = await startBench();
  const sse = await bench.sse();
  const rows: Row[] = [];
  const viaKiln = async () => {
    const t0 = Date.now();
    const [jobId] = await bench.start([disk.device]);
    const tApi = Date.now();
    const isEnd = (e: { event: string; data: any }) => e.event === "job" && e.data.id === jobId && TERMINAL.includes(e.data.status);
    await sse.waitFor(isEnd, 600_000);
    const end = sse.events.find(isEnd)!;
    if (end.data.status !== "passed") throw new Error(`Kiln's run ended ${end.data.status}: ${end.data.errorText}`);
    const kilnWall = (end.at - t0) / 1000;
    const dir = `${bench.workDir}/jobs/${jobId}-0`;
    const mtime = (f: string) => statSync(`${dir}/${f}`).mtimeMs;
    return {
      wall: kilnWall, elapsed: lastElapsed(readFileSync(`${dir}/progress.log`, "latin1")),
      api: (tApi - t0) / 1000, launch: (mtime("pid") - tApi) / 1000, process: (mtime("exit") - mtime("pid")) / 1000, notice: (end.at - mtime("exit")) / 1000,
    };
  };
  try {
    await direct(disk.device); // warm-up: the first pass over a fresh sparse file also allocates it
    for (let i = 0; i < o.pairs; i++) {
      // ABBA order, so a drift of the machine's speed does not favour either side
      const d = i % 2 === 0 ? await direct(disk.device) : null;
      const k = await viaKiln();
      const dd = d ?? (await direct(disk.device));
      rows.push({ direct: dd.wall, kiln: k.wall, bbDirect: dd.elapsed, bbKiln: k.elapsed, api: k.api, launch: k.launch, process: k.process, notice: k.notice });
      console.log(`  pair ${i + 1}/${o.pairs}: direct ${dd.wall.toFixed(2)} s, Kiln ${k.wall.toFixed(2)} s (start call ${k.api.toFixed(2)} s, badblocks lived ${k.process.toFixed(2)} s)`);
    }
  } finally {
    sse.close();
    await bench.dispose();
    disk.detach();
  }
  const ratio = rows.map((r) => r.kiln / r.direct);
  const bbRatio = rows.map((r) => r.bbKiln / r.bbDirect);
  const excess = rows.map((r) => r.kiln - r.direct);
  return [
    `## 1. Overhead ratio`,
    ``,
    `\`badblocks -wsv -b 4096 -c 64\` on one ${o.sizeMiB} MiB loop device (sparse file, direct I/O), ${o.pairs} pairs after one untimed warm-up pass, in ABBA order (direct/Kiln, Kiln/direct, ...).`,
    ``,
    `| figure | median (min–max, n) |`,
    `| --- | --- |`,
    `| direct wall time | ${spread(rows.map((r) => r.direct), 2, " s")} |`,
    `| Kiln wall time (API start → terminal SSE event) | ${spread(rows.map((r) => r.kiln), 2, " s")} |`,
    `| **ratio Kiln ÷ direct (target ≤ 1.02)** | **${spread(ratio, 3)}** |`,
    `| Kiln − direct | ${spread(excess, 2, " s")} |`,
    `| badblocks' own elapsed, direct | ${spread(rows.map((r) => r.bbDirect), 0, " s")} |`,
    `| badblocks' own elapsed, under Kiln | ${spread(rows.map((r) => r.bbKiln), 0, " s")} |`,
    `| ratio of badblocks' own elapsed | ${spread(bbRatio, 3)} |`,
    `| **badblocks' life under Kiln (pid → exit file) ÷ direct wall time** | **${spread(rows.map((r) => r.process / r.direct), 3)}** |`,
    ``,
    `Where Kiln's extra wall time goes (median): start API call ${med(rows.map((r) => r.api))} s (it re-scans the host before a`,
    `destructive start so in-use reasons are fresh), then ${med(rows.map((r) => r.launch))} s to launch (scheduler tick, one SSH exec),`,
    `badblocks itself ${med(rows.map((r) => r.process))} s, then ${med(rows.map((r) => r.notice))} s from the exit file to the terminal SSE event`,
    `(next poll, commit, publish). badblocks' elapsed prints whole seconds, so its ratio is coarse.`,
    ``,
  ].join("\n");
}
