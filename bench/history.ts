// Scenario 6: history at scale. A database filled with a year of finished burn-ins (history-fill.ts)
// behind a built Kiln; the requests the history page makes, its filters and the CSV export are timed
// one after another from this process, each `rounds` times after one warm-up.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT } from "../src/paths.js";
import { kilnProcess } from "../test/helpers/kiln-process.js";
import { fillHistory, type Filled } from "./history-fill.js";
import { quantile } from "./stats.js";

const TARGET_MS = 200;

/**
 * With `reuse`, a fill kept from an earlier run of the same fill code is used in place (a fill of
 * 100,000 jobs takes 5-15 minutes, a copy of its 4 GB several on a busy disk): Kiln runs on the
 * kept data dir under the system's temp dir, keyed by jobs and a hash of history-fill.ts, and
 * applies newer migrations to it when it starts. Without `reuse`, a fresh data dir is filled.
 */
function keptDir(jobs: number): string {
  const code = createHash("sha256").update(readFileSync(path.join(ROOT, "bench/history-fill.ts"))).digest("hex").slice(0, 12);
  return path.join(tmpdir(), "kiln-bench-fill", `history-${jobs}-${code}`);
}

function filled(file: string, jobs: number): Filled & { reused: boolean } {
  const meta = `${path.dirname(file)}/fill.json`;
  if (existsSync(meta)) return { ...(JSON.parse(readFileSync(meta, "utf8")) as Filled), file, reused: true };
  const done = fillHistory(file, jobs);
  writeFileSync(meta, JSON.stringify(done));
  return { ...done, reused: false };
}

export async function history(o: { jobs: number; rounds: number; reuseFill: boolean }): Promise<string> {
  const dataDir = o.reuseFill ? keptDir(o.jobs) : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const kiln = await kilnProcess({ KILN_RETAIN_JOB_DIRS_DAYS: "0", KILN_THIN_SAMPLES_DAYS: "0" }, { built: true, dataDir });
  const file = path.join(kiln.dataDir, "kiln.db");
  const fill = filled(file, o.jobs);
  const bytes = statSync(file).size;
  console.log(`  history: ${fill.reused ? "kept fill of" : "filled"} ${o.jobs} jobs (filled in ${fill.seconds.toFixed(0)} s), ${(bytes / 1e6).toFixed(0)} MB`);
  await kiln.start();
  const day = fill.midDay;
  const week = new Date(Date.parse(day) + 6 * 86_400_000).toISOString().slice(0, 10);
  const month = new Date(Date.parse(day) + 30 * 86_400_000).toISOString().slice(0, 10);
  // What the history page asks (`view=rows`, public/history.js), with each filter; then the full
  // snapshots the API still gives without `view` (scripts, the drawer), the CSV and the page itself.
  const requests: [string, string][] = [
    ["history page, no filter (newest 200)", "/api/v1/jobs?view=rows"],
    ["status = failed", "/api/v1/jobs?status=failed&view=rows"],
    ["status = unknown (rare)", "/api/v1/jobs?status=unknown&view=rows"],
    ["host", `/api/v1/jobs?host=${fill.hostNames[3]}&view=rows`],
    ["one week, mid-year", `/api/v1/jobs?from=${day}&to=${week}&view=rows`],
    ["host + status + date range", `/api/v1/jobs?host=${fill.hostNames[5]}&status=passed&from=${day}&view=rows`],
    ["serial fragment", `/api/v1/jobs?serial=${fill.serialFragment}&view=rows`],
    ["drive", `/api/v1/jobs?driveId=${Math.floor(o.jobs / 3)}&view=rows`],
    ["full snapshots, no filter (newest 200; not the page's request)", "/api/v1/jobs"],
    ["one job's report", `/api/v1/jobs/${Math.floor(o.jobs / 2)}/report?format=json`],
    ["drives list", "/api/v1/drives"],
    ["CSV export, default (newest 10,000 rows)", "/api/v1/history.csv"],
    ["CSV export, one host, one month", `/api/v1/history.csv?host=${fill.hostNames[1]}&from=${day}&to=${month}`],
    ["history page HTML", "/history"],
  ];
  const rows: string[] = [];
  let worst = 0;
  try {
    for (const [name, url] of requests) {
      const times: number[] = [];
      let size = 0;
      let count = "";
      for (let i = 0; i <= o.rounds; i++) {
        const t = performance.now();
        const res = await fetch(kiln.url + url, { headers: { authorization: "Bearer test-token-0123456789abcdef" } });
        const body = await res.text();
        const ms = performance.now() - t;
        if (!res.ok) throw new Error(`${url}: ${res.status} ${body.slice(0, 200)}`);
        if (i > 0) times.push(ms);
        size = body.length;
        if (url.includes(".csv")) count = `${body.split("\n").filter(Boolean).length - 1} rows`;
        else if (body.startsWith("[")) count = `${(JSON.parse(body) as unknown[]).length} items`;
      }
      const p99 = quantile(times, 0.99);
      worst = Math.max(worst, p99);
      console.log(`  history: ${name}: p50 ${quantile(times, 0.5).toFixed(0)} ms, p99 ${p99.toFixed(0)} ms`);
      rows.push(`| ${name} | \`${url.replace(/\|/g, "\\|")}\` | ${count} (${(size / 1024).toFixed(0)} KiB) | ${quantile(times, 0.5).toFixed(0)} ms | **${p99.toFixed(0)} ms** | ${p99 <= TARGET_MS ? "met" : "**missed**"} |`);
    }
  } finally {
    await kiln.dispose();
  }
  const perJob = bytes / o.jobs;
  return [
    `## 6. History at scale`,
    ``,
    `A database filled with ${o.jobs.toLocaleString("en")} finished burn-ins over one year (\`bench/history-fill.ts\`): 10 hosts, one drive`,
    `per job, 5 stages each (the surface stage with its saved parser state and summary), SMART before/after snapshots with`,
    `the raw smartctl JSON of the real fixture, ${(fill.events / o.jobs).toFixed(0)} events per job, bad blocks on the 4 % that failed, a log tail, and`,
    `samples at the rate retention leaves a finished job (one per 10 minutes over an 8–72 h run: ${(fill.samples / o.jobs).toFixed(0)} per job,`,
    `${fill.samples.toLocaleString("en")} in all). Kiln runs from the build and answers the requests the history page and the CSV export make,`,
    `each ${o.rounds} times after one warm-up, one at a time.`,
    ``,
    `| figure | value |`,
    `| --- | --- |`,
    `| database size | ${(bytes / 1e9).toFixed(2)} GB |`,
    `| **database size per job** | **${(perJob / 1024).toFixed(1)} KiB** |`,
    `| fill time | ${fill.seconds.toFixed(0)} s |`,
    ``,
    `| request | URL | answer | p50 | p99 | target p99 ≤ ${TARGET_MS} ms |`,
    `| --- | --- | --- | --- | --- | --- |`,
    ...rows,
    ``,
    ``,
  ].join("\n");
}
