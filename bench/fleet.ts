// Scenario 2 (60 drives on one host) and scenario 4 (restart) on one fleet of rate-limited disks:
// nbdkit's rate filter behind nbdfuse and a loop device each, a real badblocks on every one, all
// started through Kiln's API, one SSE client connected. The restarts happen after the measured
// window, while every badblocks is still running.
import { createSlowDisk, type SlowDisk } from "../test/helpers/testhost.js";
import { startBench, logProblems, TERMINAL, type Bench } from "./harness.js";
import { allProcesses, channelsPerConnection, cpuSeconds, statusKiB } from "./proc.js";
import { deliveryDelays, LogWatcher } from "./watch.js";
import { quantile, sleep, spread } from "./stats.js";
import { restarts } from "./restart.js";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { statSync, writeFileSync } from "node:fs";
import { buildReadScript } from "../src/remote/read-script.js";

/** Runs the reader's poll script for every job (offsets at the current log ends) and times it. */
async function readScriptCost(workDir: string, jobIds: number[], runs = 3): Promise<{ wall: number[]; cpu: number[] }> {
  const size = (f: string) => { try { return statSync(f).size; } catch { return 0; } };
  const reqs = jobIds.map((id) => {
    const dir = `${workDir}/jobs/${id}-0`;
    return { key: String(id), jobDir: dir, logOffset: size(`${dir}/progress.log`), bbOffset: size(`${dir}/badblocks.txt`), maxBytes: 1 << 20 };
  });
  const file = `${workDir}/bench-read.sh`;
  writeFileSync(file, buildReadScript(reqs));
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    // async, so the bench's own SSE client and log watcher keep their timestamps honest meanwhile
    const r = await promisify(execFile)("/usr/bin/time", ["-f", "KILN-TIME %e %U %S", "sh", file], { encoding: "latin1", maxBuffer: 1 << 26 });
    const m = /KILN-TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr ?? "");
    if (!m) continue;
    wall.push(Number(m[1]));
    cpu.push(Number(m[2]) + Number(m[3]));
  }
  return { wall, cpu };
}

export interface FleetOptions {
  /** Filled in by fleet(): the devices under test. */
  devices?: string[];
  drives: number;
  sizeMiB: number;
  rateBytesPerSec: number;
  windowSeconds: number;
  /** Restarts to time after the window (0: scenario 4 not selected). */
  restarts: number;
  /** Whether scenario 2's figures are wanted (else only the restarts). */
  measure: boolean;
}

type Ev = { event: string; data: any; at: number };

export async function fleet(o: FleetOptions): Promise<string[]> {
  const disks: SlowDisk[] = [];
  let bench: Bench | null = null;
  try {
    for (let i = 0; i < o.drives; i++) disks.push(createSlowDisk({ sizeMiB: o.sizeMiB, rateBytesPerSec: o.rateBytesPerSec }));
    console.log(`  ${disks.length} rate-limited disks ready`);
    bench = await startBench({ KILN_MAX_PARALLEL: String(o.drives) });
    const sse = await bench.sse();
    const tStart = Date.now();
    const jobIds = await bench.start(disks.map((d) => d.device));
    const files = new Map(jobIds.map((id) => [id, `${bench!.workDir}/jobs/${id}-0/progress.log`]));
    const watcher = new LogWatcher(files);
    const started = (id: number) => sse.events.some((e) => e.event === "job" && e.data.id === id && (e.data.surface?.phase ?? 0) >= 1);
    const until = Date.now() + 180_000;
    while (!jobIds.every(started) && Date.now() < until) await sleep(100);
    const t0 = Date.now();
    console.log(`  all ${jobIds.filter(started).length} jobs streaming ${((t0 - tStart) / 1000).toFixed(1)} s after the start call`);

    const sections: string[] = [];
    if (o.measure) sections.push(await measure({ ...o, devices: disks.map((d) => d.device) }, bench, sse.events, watcher, jobIds, t0));
    watcher.stop();
    const problemsBefore = logProblems(bench.kilnLog());
    if (o.restarts > 0) sections.push(await restarts(bench, jobIds, sse, o.restarts, o.drives));
    else sse.close();
    // Let every pass finish: the verdicts show the runs were real and whole.
    const end = Date.now() + o.sizeMiB * 8 * 1048576 / o.rateBytesPerSec * 1000 * 2;
    let jobs: any[] = [];
    while (Date.now() < end) {
      jobs = ((await bench.kiln.api("GET", "/api/v1/jobs")).body as any[]).filter((j) => jobIds.includes(j.id));
      if (jobs.every((j) => TERMINAL.includes(j.status))) break;
      await sleep(2000);
    }
    const counts = new Map<string, number>();
    for (const j of jobs) counts.set(j.status, (counts.get(j.status) ?? 0) + 1);
    const verdicts = [...counts].map(([s, n]) => `${n} ${s}`).join(", ");
    console.log(`  verdicts: ${verdicts}`);
    const after = logProblems(bench.kilnLog());
    sections.push([
      `Final verdicts of the ${jobIds.length} passes (after the restarts, if any): ${verdicts}.`,
      `Kiln's log over the whole fleet run, restarts included: ${after.errors.length} error-level lines, ${after.locked} "database is locked",`,
      `${after.warnings} warnings${problemsBefore.errors.length !== after.errors.length ? " (the error lines after a SIGKILL include the expected crash-marker report)" : ""}.`,
      ...after.errors.slice(0, 5).map((e) => `    ${e}`),
      ``,
    ].join("\n"));
    return sections;
  } finally {
    await bench?.dispose();
    for (const d of disks) d.detach();
  }
}

async function measure(o: FleetOptions, bench: Bench, events: Ev[], watcher: LogWatcher, jobIds: number[], t0: number): Promise<string> {
  const pid = bench.kiln.pid;
  const cpu0 = cpuSeconds(pid);
  const ours = new Set(o.devices ?? []);
  const conns: number[] = [];
  const channels: number[] = [];
  const badblocksRunning: number[] = [];
  const drivesMs: number[] = [];
  let stop = false;
  const sampler = (async () => {
    while (!stop) {
      const sessions = bench.sshd.sessionPids();
      conns.push(sessions.length);
      channels.push(...channelsPerConnection(sessions));
      badblocksRunning.push(allProcesses().filter((p) => p.cmd.startsWith("badblocks ") && ours.has(p.cmd.split(" ").at(-1)!)).length);
      const a = performance.now();
      const r = await bench.kiln.api("GET", "/api/v1/drives");
      if (r.status === 200) drivesMs.push(performance.now() - a);
      await sleep(1000);
    }
  })();
  await sleep((o.windowSeconds * 1000) / 2);
  const poll = await readScriptCost(bench.workDir, jobIds);
  await sleep((o.windowSeconds * 1000) / 2);
  const t1 = Date.now();
  const cpu1 = cpuSeconds(pid);
  const hwm = statusKiB(pid, "VmHWM");
  const rss = statusKiB(pid, "VmRSS");
  stop = true;
  await sampler;
  await sleep(8000); // let the last lines of the window reach the client
  const minutes = (t1 - t0) / 60_000;
  const problems = logProblems(bench.kilnLog());

  const perJob = new Map<number, Ev[]>(jobIds.map((id) => [id, []]));
  for (const e of events) if (e.event === "job" && perJob.has(e.data.id)) perJob.get(e.data.id)!.push(e);
  const commitsPerMin = jobIds.map((id) => perJob.get(id)!.filter((e) => e.at >= t0 && e.at < t1).length / minutes);
  const lines = watcher.lines.filter((l) => l.at >= t0 && l.at < t1);
  const phaseChanges = jobIds.map((id) => {
    const ph = lines.filter((l) => l.jobId === id).map((l) => l.phase);
    return ph.length ? (Math.max(...ph) - Math.min(...ph)) / minutes : 0;
  });
  const { delays, unmatched } = deliveryDelays(lines, perJob);
  const cpuPct = ((cpu1 - cpu0) / ((t1 - t0) / 1000)) * 100;
  console.log(`  CPU ${cpuPct.toFixed(1)}%, delay p50 ${quantile(delays, 0.5).toFixed(2)} s p99 ${quantile(delays, 0.99).toFixed(2)} s, drives p99 ${quantile(drivesMs, 0.99).toFixed(0)} ms`);
  return [
    `## 2. ${jobIds.length} drives on one host`,
    ``,
    `${jobIds.length} loop devices, each a ${o.sizeMiB} MiB disk served by nbdkit (file plugin, \`rate\` filter at ${o.rateBytesPerSec / 1024} KiB/s)`,
    `through nbdfuse, a real \`badblocks -wsv -b 4096 -c 64\` on each, all started by one API call, KILN_MAX_PARALLEL=${o.drives},`,
    `gate 5 s, poll 1 s, sshd with default MaxSessions, one SSE client connected. Measured over a ${(minutes * 60).toFixed(0)} s window once every`,
    `job was streaming (badblocks processes running at once during it: ${spread(badblocksRunning, 0)}).`,
    `Figures are from one fleet run; the spread is over jobs, samples or lines as named.`,
    ``,
    `| figure | value | target |`,
    `| --- | --- | --- |`,
    `| Kiln CPU, % of one core (utime+stime over the window) | **${cpuPct.toFixed(1)} %** | |`,
    `| Kiln RSS at the end / peak (VmHWM) | ${(rss / 1024).toFixed(1)} / **${(hwm / 1024).toFixed(1)} MiB** | |`,
    `| \`job\` SSE events per job-minute (≥ progress commits: every commit publishes one), over jobs | **${spread(commitsPerMin, 1)}** | ≤ 12 + phase changes |`,
    `| phase changes per job-minute, over jobs | ${spread(phaseChanges, 2)} | |`,
    `| SSH connections to the host (per-connection sshd processes), over samples | ${spread(conns, 0)} | |`,
    `| exec channels open per connection, over samples | ${spread(channels, 0)}, peak ${Math.max(0, ...channels)} | ≤ 10 |`,
    `| progress line in the host-side log → SSE event at the client, over ${delays.length} lines | p50 **${quantile(delays, 0.5).toFixed(2)} s**, p99 **${quantile(delays, 0.99).toFixed(2)} s**, max ${Math.max(...delays).toFixed(2)} s${unmatched ? ` (${unmatched} unmatched)` : ""} | ≤ 6 s (gate + 1 s) |`,
    `| \`GET /api/v1/drives\` latency, over ${drivesMs.length} requests | p50 ${quantile(drivesMs, 0.5).toFixed(0)} ms, p99 **${quantile(drivesMs, 0.99).toFixed(0)} ms** | |`,
    `| host side: one poll's read script for all ${jobIds.length} jobs, run directly with \`sh\` mid-window (no new bytes), over ${poll.wall.length} runs | wall ${spread(poll.wall, 2, " s")}, CPU ${spread(poll.cpu, 2, " s")} | |`,
    `| "database is locked" / error-level lines in Kiln's log during the window | **${problems.locked} / ${problems.errors.length}** | 0 |`,
    ``,
    `The delay is measured from the moment the bench saw the host-side \`progress.log\` grow (polled every 50 ms) to the`,
    `first SSE \`job\` event whose surface phase and badblocks elapsed time reached that line's.`,
    ``,
  ].join("\n");
}

