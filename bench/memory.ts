// Scenario 3b: Kiln's RSS while it follows one job through the log of a 7-day pass. The job's
// host-side dir is prepared before Kiln launches it (a live stand-in process in `pid`), so Kiln
// finds "its" badblocks already running and follows a progress.log that this bench appends to.
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createLoopDevice } from "../test/helpers/testhost.js";
import { startBench, TERMINAL } from "./harness.js";
import { statusKiB } from "./proc.js";
import { SEVEN_DAYS } from "./parser.js";
import { syntheticLog } from "./synthetic-log.js";
import { median, sleep } from "./stats.js";

export async function memory(): Promise<string> {
  const disk = createLoopDevice({ sizeMiB: 8, name: "memory" });
  const bench = await startBench();
  const jobDir = `${bench.workDir}/jobs/1-0`; // a fresh database: the first job is 1, its only stage seq 0
  mkdirSync(jobDir, { recursive: true });
  writeFileSync(`${jobDir}/run.sh`, "while :; do sleep 3600; done\n");
  const standIn = spawn("sh", [`${jobDir}/run.sh`], { stdio: "ignore", detached: true });
  writeFileSync(`${jobDir}/device`, `${disk.device}\n`);
  writeFileSync(`${jobDir}/progress.log`, "");
  writeFileSync(`${jobDir}/pid`, `${standIn.pid}\n`);
  const sse = await bench.sse();
  const samples: { at: number; logBytes: number; rssKiB: number }[] = [];
  let written = 0;
  const idleKiB = statusKiB(bench.kiln.pid, "VmRSS");
  try {
    const [jobId] = await bench.start([disk.device]);
    if (jobId !== 1) throw new Error(`expected job 1 in a fresh database, got ${jobId}`);
    const sampler = setInterval(() => samples.push({ at: Date.now(), logBytes: written, rssKiB: statusKiB(bench.kiln.pid, "VmRSS") }), 500);
    // Append ~2 MiB a second: faster than Kiln reads (1 MiB per poll per job), so it reads flat out.
    for (const piece of syntheticLog(SEVEN_DAYS)) {
      appendFileSync(`${jobDir}/progress.log`, piece);
      written += piece.length;
      await sleep(500);
    }
    writeFileSync(`${jobDir}/exit`, "0\n");
    const isEnd = (e: { event: string; data: any }) => e.event === "job" && e.data.id === jobId && TERMINAL.includes(e.data.status);
    await sse.waitFor(isEnd, 600_000);
    clearInterval(sampler);
    const end = sse.events.find(isEnd)!;
    const hwm = statusKiB(bench.kiln.pid, "VmHWM");
    const n = samples.length;
    const quarter = (i: number) => median(samples.slice(Math.floor((i * n) / 4), Math.floor(((i + 1) * n) / 4)).map((s) => s.rssKiB)) / 1024;
    const after = samples.slice(Math.floor(n / 4)).map((s) => s.rssKiB / 1024);
    console.log(`  memory: RSS quarters ${[0, 1, 2, 3].map((i) => quarter(i).toFixed(1)).join(", ")} MiB; job ${end.data.status}`);
    return [
      `### Kiln's memory through a 7-day log`,
      ``,
      `One job followed through ${(written / 1e6).toFixed(1)} MB of progress log: the raw, unsqueezed stream of a 7-day pass`,
      `(the real host-side log is squeezed to ~1/5 of that), appended at ~2 MB/s; Kiln read it at its 1 MiB-per-poll pace`,
      `and ended the job \`${end.data.status}\` in ${((end.at - samples[0]!.at) / 1000).toFixed(0)} s. RSS sampled every 0.5 s (${n} samples).`,
      ``,
      `| figure | value |`,
      `| --- | --- |`,
      `| RSS idle, before the job | ${(idleKiB / 1024).toFixed(1)} MiB |`,
      `| RSS median per quarter of the run (MiB) | ${[0, 1, 2, 3].map((i) => quarter(i).toFixed(1)).join(" → ")} |`,
      `| RSS after the first quarter: min–max | ${Math.min(...after).toFixed(1)}–${Math.max(...after).toFixed(1)} MiB |`,
      `| peak RSS (VmHWM) | ${(hwm / 1024).toFixed(1)} MiB |`,
      ``,
    ].join("\n");
  } finally {
    sse.close();
    if (standIn.pid) process.kill(-standIn.pid, "SIGKILL");
    await bench.dispose();
    disk.detach();
  }
}
