// Scenario 4: with the fleet's jobs running, SIGKILL Kiln and start it again; time until every
// running job is re-attached and streaming (an SSE event carrying progress newer than the last
// one seen before the kill). Repeated `n` times on the same fleet.
import { TERMINAL, type Bench } from "./harness.js";
import type { SseClient } from "../test/helpers/sse.js";
import { quantile, sleep, spread } from "./stats.js";

type Ev = { event: string; data: any; at: number };
const keyOf = (e: Ev) => (e.data.surface ? e.data.surface.phase * 1e7 + e.data.surface.elapsedSeconds : -1);

function lastKeys(events: Ev[], jobIds: number[]): Map<number, { key: number; status: string }> {
  const out = new Map<number, { key: number; status: string }>();
  for (const e of events) {
    if (e.event !== "job" || !jobIds.includes(e.data.id)) continue;
    const prev = out.get(e.data.id);
    out.set(e.data.id, { key: Math.max(prev?.key ?? -1, keyOf(e)), status: e.data.status });
  }
  return out;
}

/** `live` is an SSE client connected to the running Kiln; it is closed here. */
export async function restarts(bench: Bench, jobIds: number[], live: SseClient, n: number, drives: number): Promise<string> {
  const toHealth: number[] = [];
  const toAll: number[] = [];
  const perJob: number[] = [];
  const followed: number[] = [];
  let current = live;
  for (let r = 0; r < n; r++) {
    const before = lastKeys(current.events, jobIds);
    const running = jobIds.filter((id) => before.has(id) && !TERMINAL.includes(before.get(id)!.status));
    await bench.kiln.kill("SIGKILL");
    current.close();
    const t0 = Date.now();
    await bench.kiln.start();
    toHealth.push((Date.now() - t0) / 1000);
    const sse = await bench.sse();
    const first = new Map<number, number>();
    const until = Date.now() + 180_000;
    while (first.size < running.length && Date.now() < until) {
      for (const e of sse.events) {
        if (e.event !== "job" || first.has(e.data.id) || !running.includes(e.data.id)) continue;
        if (keyOf(e) > before.get(e.data.id)!.key || TERMINAL.includes(e.data.status)) first.set(e.data.id, e.at);
      }
      await sleep(50);
    }
    const times = [...first.values()].map((at) => (at - t0) / 1000);
    toAll.push(first.size === running.length ? Math.max(...times) : NaN);
    perJob.push(...times);
    followed.push(first.size);
    console.log(`  restart ${r + 1}/${n}: /health after ${toHealth.at(-1)!.toFixed(2)} s, ${first.size}/${running.length} jobs streaming after ${toAll.at(-1)!.toFixed(2)} s`);
    current = sse;
    await sleep(5000);
  }
  current.close();
  return [
    `## 4. Restart`,
    ``,
    `With the ${drives} jobs of scenario 2's fleet running (gate 5 s, poll 1 s), Kiln was SIGKILLed and started again, ${n} times,`,
    `5 s apart. "Streaming" = the new SSE client received, for the job, progress newer than the last seen before the kill`,
    `(or its terminal status). Times are from the start of the new process.`,
    ``,
    `| figure | median (min–max, n) |`,
    `| --- | --- |`,
    `| new process answers \`/health\` | ${spread(toHealth, 2, " s")} |`,
    `| **every running job re-attached and streaming** | **${spread(toAll, 2, " s")}** |`,
    `| per job, over all restarts | p50 ${quantile(perJob, 0.5).toFixed(2)} s, p99 ${quantile(perJob, 0.99).toFixed(2)} s |`,
    `| jobs streaming again per restart | ${followed.join(", ")} |`,
    ``,
  ].join("\n");
}
