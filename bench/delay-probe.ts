// The fleet bench's delay probe, a process of its own: it watches the host-side progress logs of the
// given jobs and Kiln's event stream, and times each progress line to the first `job` event that
// carries it. It does nothing else, so the walk of /proc, the browser and the API calls of the
// bench's main process cannot stall the clock it reads (in one process they stalled it up to 10 s).
// Usage: node --import tsx bench/delay-probe.ts CONFIG.json; writes the result to CONFIG's `out`.
import { readFileSync, writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { openSse } from "../test/helpers/sse.js";
import { deliveryDelays, LogWatcher } from "./watch.js";

export interface ProbeConfig {
  url: string;
  token: string;
  /** jobId → the job's host-side progress.log */
  files: Record<string, string>;
  /** Lines are timed from when the probe is ready for `windowMs`; events are awaited `graceMs` more. */
  windowMs: number;
  graceMs: number;
  out: string;
}

export interface ProbeResult {
  delays: number[];
  unmatched: number;
  /** The probe's own longest event-loop stall over its run, in seconds. */
  stallS: number;
  slowest: { jobId: number; phase: number; elapsed: number; atS: number; delayS: number | null }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as ProbeConfig;
  const stall = monitorEventLoopDelay({ resolution: 20 });
  stall.enable();
  const sse = await openSse(`${config.url}/api/v1/events`, { authorization: `Bearer ${config.token}` });
  const watcher = new LogWatcher(new Map(Object.entries(config.files).map(([id, file]) => [Number(id), file])), 100);
  const t0 = Date.now();
  process.stdout.write("ready\n");
  await sleep(config.windowMs);
  const t1 = Date.now();
  await sleep(config.graceMs);
  watcher.stop();
  sse.close();
  stall.disable();
  const perJob = new Map<number, { event: string; data: any; at: number }[]>();
  for (const e of sse.events) {
    if (e.event !== "job") continue;
    const list = perJob.get(e.data.id) ?? [];
    list.push(e);
    perJob.set(e.data.id, list);
  }
  const lines = watcher.lines.filter((l) => l.at >= t0 && l.at < t1);
  const { delays, unmatched } = deliveryDelays(lines, perJob);
  const slowest = lines
    .map((l) => ({ jobId: l.jobId, phase: l.phase, elapsed: l.elapsed, atS: (l.at - t0) / 1000, delayS: deliveryDelays([l], perJob).delays[0] ?? null }))
    .sort((x, y) => (y.delayS ?? 1e9) - (x.delayS ?? 1e9))
    .slice(0, 30);
  const result: ProbeResult = { delays, unmatched, stallS: stall.max / 1e9, slowest };
  writeFileSync(config.out, JSON.stringify(result));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
