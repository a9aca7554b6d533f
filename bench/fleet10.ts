// Scenario 5 (`npm run bench -- fleet10`): 10 hosts × 60 jobs. Each host is its own sshd on 127.0.0.1
// (own host key, own work dir) whose sessions find bench/standin/badblocks first on the PATH: a
// STAND-IN that writes a real badblocks progress stream at its real pace (see that file) and never
// touches a device. Each host scans only its own 60 loop devices (POST /hosts/:id/scan {devices}),
// so the dashboard shows 600 drives. Everything on Kiln's side is the real thing: SSH, reader,
// parser, gate, database, SSE, the dashboard in Chromium. Bounded: the window, the browser probe and
// one restart have fixed lengths; at the end every stand-in's process group is killed.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../src/paths.js";
import { createLoopDevice, startTestSshd, type LoopDevice, type TestSshd } from "../test/helpers/testhost.js";
import { kilnProcess, type KilnProcess } from "../test/helpers/kiln-process.js";
import { makeTempDir } from "../test/helpers/tempdir.js";
import { TEST_TOKEN } from "../test/helpers/kiln.js";
import { openSse, type SseClient } from "../test/helpers/sse.js";
import { launchBrowser } from "../test/helpers/browser.js";
import { logProblems, signIn, type Bench } from "./harness.js";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { allProcesses, channelsPerConnection, cpuSeconds, statusKiB } from "./proc.js";
import type { ProbeConfig, ProbeResult } from "./delay-probe.js";
import { median, quantile, sleep, spread } from "./stats.js";
import { restarts } from "./restart.js";

type Ev = { event: string; data: any; at: number };
const GATE_S = 5;

export async function fleet10(o: { hosts: number; perHost: number; windowSeconds: number; browserSeconds: number }): Promise<string[]> {
  const loops: LoopDevice[] = [];
  const sshds: TestSshd[] = [];
  const workDirs: string[] = [];
  let kiln: KilnProcess | null = null;
  let sse: SseClient | null = null;
  try {
    for (let i = 0; i < o.hosts * o.perHost; i++) loops.push(createLoopDevice({ sizeMiB: 1, name: `fleet10-${i}` }));
    // KILN_BENCH_NODE_ENV (JSON) adds environment to Kiln's process, for trying runtime settings (NODE_OPTIONS, MALLOC_ARENA_MAX).
    const extra = JSON.parse(process.env.KILN_BENCH_NODE_ENV ?? "{}") as Record<string, string>;
    kiln = await kilnProcess({ KILN_GATE_SECONDS: String(GATE_S), KILN_POLL_MS: "1000", KILN_MAX_PARALLEL: String(o.perHost), KILN_RETAIN_JOB_DIRS_DAYS: "0", ...extra }, { built: true });
    for (let h = 0; h < o.hosts; h++) sshds.push(await startTestSshd({ authorizedKeys: [kiln.publicKey], pathPrefix: path.join(ROOT, "bench/standin") }));
    await kiln.start();
    // VmRSS once a second through every phase (start, window, restart): where the peak comes from.
    const k0 = kiln;
    const rssLog: { at: number; kib: number }[] = [];
    const rssTimer = setInterval(() => {
      const kib = statusKiB(k0.pid, "VmRSS");
      if (Number.isFinite(kib)) rssLog.push({ at: Date.now(), kib });
    }, 1000);
    rssTimer.unref();
    const peakMiB = (from: number, to: number) => Math.max(0, ...rssLog.filter((x) => x.at >= from && x.at < to).map((x) => x.kib)) / 1024;
    console.log(`  ${loops.length} loop devices, ${sshds.length} sshd instances, Kiln up`);
    sse = await openSse(`${kiln.url}/api/v1/events`, { authorization: `Bearer ${TEST_TOKEN}` });
    const jobIds: number[] = [];
    const workOf = new Map<number, string>();
    // The surface stage's job dir, `<job>-<stage seq>-<install id>` (surface/run.ts jobDirFor), once it exists.
    const jobDir = (id: number) => {
      const jobs = path.join(workOf.get(id)!, "jobs");
      const dir = readdirSync(jobs).find((d) => d.startsWith(`${id}-`) && !d.includes("-r"));
      return path.join(jobs, dir ?? `${id}-missing`);
    };
    const tStart = Date.now();
    for (let h = 0; h < o.hosts; h++) {
      const workDir = makeTempDir("fleet10work");
      workDirs.push(workDir);
      const added = await kiln.api("POST", "/api/v1/hosts", { name: `rack-${h + 1}`, address: "127.0.0.1", port: sshds[h]!.port, username: "root", workDir, includeLoopDevices: true });
      if (added.status !== 201) throw new Error(`host add: ${JSON.stringify(added.body)}`);
      const mine = loops.slice(h * o.perHost, (h + 1) * o.perHost).map((l) => l.device);
      const scan = await kiln.api("POST", `/api/v1/hosts/${added.body.id}/scan`, { devices: mine.map((d) => path.basename(d)) });
      if (scan.status !== 200) throw new Error(`scan: ${JSON.stringify(scan.body)}`);
      const rows = mine.map((d) => (scan.body as any[]).find((x) => x.devPath === d));
      if (rows.some((r) => !r)) throw new Error(`scan of rack-${h + 1} missed devices`);
      const start = await kiln.api("POST", "/api/v1/burnin/start", { driveIds: rows.map((r) => r.id), confirm: rows.map((r) => r.confirmName), stages: ["surface_validate"] });
      if (start.status !== 202) throw new Error(`start: ${start.status} ${JSON.stringify(start.body)}`);
      for (const j of start.body.jobs as { id: number }[]) {
        jobIds.push(j.id);
        workOf.set(j.id, workDir);
      }
    }
    const events = sse.events as Ev[];
    const streaming = new Set<number>();
    const until = Date.now() + 300_000;
    const ended = new Set<number>();
    while (streaming.size + ended.size < jobIds.length && Date.now() < until) {
      for (const e of events) {
        if (e.event !== "job") continue;
        if ((e.data.surface?.phase ?? 0) >= 1) streaming.add(e.data.id);
        if (["passed", "failed", "cancelled", "unknown"].includes(e.data.status)) ended.add(e.data.id);
      }
      await sleep(500);
    }
    console.log(`  ${streaming.size}/${jobIds.length} jobs streaming, ${ended.size} ended, ${((Date.now() - tStart) / 1000).toFixed(0)} s after the first start call`);

    // The window: Kiln's CPU and memory, API latency, SSH channels, and the delay on 60 watched jobs
    // (timed by a process of its own, bench/delay-probe.ts).
    const watched = jobIds.filter((_, i) => i % Math.max(1, Math.floor(jobIds.length / 60)) === 0).slice(0, 60);
    const probe = await startProbe({
      url: kiln.url, token: TEST_TOKEN, files: Object.fromEntries(watched.map((id) => [id, `${jobDir(id)}/progress.log`])),
      windowMs: o.windowSeconds * 1000, graceMs: (GATE_S + 3) * 1000, out: path.join(makeTempDir("fleet10probe"), "delays.json"),
    });
    const t0 = Date.now();
    const startSeconds = (t0 - tStart) / 1000;
    const pid = kiln.pid;
    const cpu0 = cpuSeconds(pid);
    const drivesMs: number[] = [];
    const jobsMs: number[] = [];
    const conns: number[] = [];
    const channels: number[] = [];
    const apiFailures: string[] = [];
    let stop = false;
    const k = kiln;
    // This process also times the lines and the events: its own event loop must not stall (a walk
    // of /proc is synchronous: one walk every 5th round, shared by the ten hosts; the stall is reported).
    const loopDelay = monitorEventLoopDelay({ resolution: 20 });
    loopDelay.enable();
    await kilnLagReset(kiln.url);
    const sampler = (async () => {
      for (let round = 0; !stop; round++) {
        if (round % 5 === 0) {
          const procs = allProcesses();
          for (const s of sshds) {
            const sessions = s.sessionPids();
            conns.push(sessions.length);
            channels.push(...channelsPerConnection(sessions, procs));
          }
        }
        try {
          let a = performance.now();
          if ((await k.api("GET", "/api/v1/drives")).status === 200) drivesMs.push(performance.now() - a);
          a = performance.now();
          if ((await k.api("GET", `/api/v1/jobs/${jobIds[Math.floor(Math.random() * jobIds.length)]}`)).status === 200) jobsMs.push(performance.now() - a);
        } catch (err) {
          apiFailures.push(String((err as Error).cause ?? err));
        }
        await sleep(2000);
      }
    })();
    const browser = await probeDashboard(kiln.url, jobIds.length, o.browserSeconds);
    await sleep(Math.max(0, o.windowSeconds * 1000 - (Date.now() - t0)));
    const t1 = Date.now();
    const cpu1 = cpuSeconds(pid);
    const mem = await processMemory(kiln.url);
    loopDelay.disable();
    const hwm = statusKiB(pid, "VmHWM");
    const rss = statusKiB(pid, "VmRSS");
    stop = true;
    await sampler;
    const { delays, unmatched, stallS, slowest } = await probe.result;
    const minutes = (t1 - t0) / 60_000;
    const perJob = new Map<number, Ev[]>(jobIds.map((id) => [id, []]));
    for (const e of events) if (e.event === "job" && perJob.has(e.data.id)) perJob.get(e.data.id)!.push(e);
    const commitsPerMin = jobIds.map((id) => perJob.get(id)!.filter((e) => e.at >= t0 && e.at < t1).length / minutes);
    // The slowest lines and the longest silences, for what limits the delay (test-output/fleet10-delays.json).
    const gaps = watched.map((id) => {
      const at = perJob.get(id)!.filter((e) => e.at >= t0 && e.at < t1).map((e) => e.at);
      let gap = 0;
      let where = 0;
      for (let i = 1; i < at.length; i++) if (at[i]! - at[i - 1]! > gap) [gap, where] = [at[i]! - at[i - 1]!, at[i - 1]! - t0];
      return { jobId: id, gapS: gap / 1000, fromS: where / 1000 };
    }).sort((x, y) => y.gapS - x.gapS).slice(0, 15);
    (await import("node:fs")).writeFileSync(path.join(ROOT, "test-output/fleet10-delays.json"), JSON.stringify({ slowest, gaps }, null, 1));
    const cpuPct = ((cpu1 - cpu0) / ((t1 - t0) / 1000)) * 100;
    const problems = logProblems(readFileSync(path.join(kiln.dataDir, "kiln.log"), "utf8"));
    console.log(`  CPU ${cpuPct.toFixed(1)} %, RSS ${(rss / 1024).toFixed(0)} MiB, delay p99 ${quantile(delays, 0.99).toFixed(2)} s, first render ${browser.firstRenderMs.toFixed(0)} ms`);

    // One restart with every job running.
    const benchLike = {
      kiln, sshd: sshds[0]!, hostId: 1, workDir: workDirs[0]!,
      sse: () => openSse(`${k.url}/api/v1/events`, { authorization: `Bearer ${TEST_TOKEN}` }),
    } as unknown as Bench;
    const tRestart = Date.now();
    const restart = await restarts(benchLike, jobIds, sse, 1, jobIds.length);
    sse = null;
    clearInterval(rssTimer);
    const rssPhases = `start ${peakMiB(0, t0).toFixed(0)}, window ${peakMiB(t0, tRestart).toFixed(0)}, after the restart ${peakMiB(tRestart, Infinity).toFixed(0)} MiB`;
    console.log(`  RSS peaks (1 s samples): ${rssPhases}`);
    const ok = (v: number, target: number) => (v <= target ? "met" : "**missed**");
    const delayP99 = quantile(delays, 0.99);
    return [[
      `## 5. 600 drives on 10 hosts (\`npm run bench -- fleet10\`)`,
      ``,
      `${o.hosts} sshd instances on 127.0.0.1, each with its own host key and work dir, ${o.perHost} jobs each (${jobIds.length} in all), all`,
      `running at once (KILN_MAX_PARALLEL=${o.perHost} per host), gate ${GATE_S} s, poll 1 s. The host side is a **replay**:`,
      `\`bench/standin/badblocks\`, a stand-in used only by this bench, writes a real badblocks progress stream (the records of`,
      `\`test/fixtures/badblocks/good-slow.stderr\`) at badblocks' pace, one status record a second, through Kiln's real wrapper and`,
      `squeezer; it never touches a device. Each host scans only its own ${o.perHost} loop devices, so the dashboard shows ${jobIds.length} drives.`,
      `Kiln's side is real and runs from the build. Measured over a ${(minutes * 60).toFixed(0)} s window once ${streaming.size} of ${jobIds.length} jobs were streaming.`,
      ``,
      `| figure | value | target |`,
      `| --- | --- | --- |`,
      `| Kiln CPU, % of one core (utime+stime over the window) | **${cpuPct.toFixed(1)} %** | ≤ 25 % (${ok(cpuPct, 25)}) |`,
      `| Kiln RSS at the end / peak (VmHWM) | ${(rss / 1024).toFixed(0)} / **${(hwm / 1024).toFixed(0)} MiB** | ≤ 250 MB (${ok(hwm * 1024, 250e6)}) |`,
      `| Kiln RSS, highest 1 s sample per phase | ${rssPhases} | |`,
      `| longest event-loop stall over the window: Kiln (\`nodejs_eventloop_lag_max_seconds\`) / the delay probe, which times lines and events / the bench's main process | ${mem.lagMaxS.toFixed(2)} s / ${stallS.toFixed(2)} s / ${(loopDelay.max / 1e9).toFixed(2)} s | |`,
      `| Kiln memory at the end of the window (\`/metrics\`): RSS / V8 heap used / heap total / external | ${mem.text} | |`,
      `| \`job\` SSE events per job-minute (≥ progress commits), over jobs | **${spread(commitsPerMin, 1)}** | ≤ 12 + phase changes |`,
      `| progress line in the host-side log → SSE event at the client, over ${delays.length} lines of ${watched.length} watched jobs | p50 **${quantile(delays, 0.5).toFixed(2)} s**, p99 **${delayP99.toFixed(2)} s**${unmatched ? ` (${unmatched} unmatched)` : ""} | ≤ gate + 1 s = ${GATE_S + 1} s (${ok(delayP99, GATE_S + 1)}) |`,
      `| \`GET /api/v1/drives\` (600 drives), over ${drivesMs.length} requests | p50 ${quantile(drivesMs, 0.5).toFixed(0)} ms, p99 **${quantile(drivesMs, 0.99).toFixed(0)} ms** | |`,
      `| \`GET /api/v1/jobs/:id\`, over ${jobsMs.length} requests | p50 ${quantile(jobsMs, 0.5).toFixed(0)} ms, p99 **${quantile(jobsMs, 0.99).toFixed(0)} ms** | |`,
      `| SSH connections per host (sshd session processes), over samples | ${spread(conns, 0)} | |`,
      `| exec channels open per connection, over samples | ${spread(channels, 0)}, peak ${Math.max(0, ...channels)} | ≤ 10 |`,
      `| dashboard first render (navigation → ${jobIds.length} rows drawn, timed in the page), Chromium, over ${browser.drawn.length} reloads | **${browser.firstRenderMs.toFixed(0)} ms** (${spread(browser.drawn, 0, " ms")}); of which the page's \`GET /api/v1/drives\`: ${spread(browser.drivesApi, 0, " ms")} | ≤ 1 s (${ok(browser.firstRenderMs, 1000)}) |`,
      `| dashboard script time per second of live updates (over ${o.browserSeconds} s; CDP ScriptDuration) | **${(browser.scriptShare * 100).toFixed(1)} % of a core** (all main-thread tasks: ${(browser.taskShare * 100).toFixed(1)} %) | ≤ 10 % (${ok(browser.scriptShare, 0.1)}) |`,
      `| dashboard JS heap used, after the live period | ${(browser.heapBytes / 2 ** 20).toFixed(1)} MiB | |`,
      `| SSE \`job\` events per second during that period (the bench's own client saw the same stream) | ${(events.filter((e) => e.event === "job" && e.at >= browser.from && e.at < browser.to).length / o.browserSeconds).toFixed(0)} | |`,
      `| API requests that failed (connection closed) during the window | ${apiFailures.length}${apiFailures[0] ? ` (${apiFailures[0].slice(0, 80)})` : ""} | 0 |`,
      `| jobs that ended before streaming (launch failed), of ${jobIds.length}; start calls to all streaming | ${ended.size}; ${startSeconds.toFixed(0)} s | 0 |`,
      `| "database is locked" / error-level lines in Kiln's log | ${problems.locked} / ${problems.errors.length} | 0 |`,
      ``,
    ].join("\n"), restart.replace("## 4. Restart", "### Restart with 600 running jobs").replace(/With the \d+ jobs of scenario 2's fleet running/, `With the ${jobIds.length} jobs running`)];
  } finally {
    sse?.close();
    if (kiln) {
      try {
        (await import("node:fs")).copyFileSync(path.join(kiln.dataDir, "kiln.log"), path.join(ROOT, "test-output/fleet10-kiln.log"));
      } catch {
        /* no log */
      }
    }
    // Stop every stand-in: each job's wrapper is a process-group leader whose pid is in its job dir.
    for (const dir of workDirs) {
      const jobs = path.join(dir, "jobs");
      if (!existsSync(jobs)) continue;
      for (const d of (await import("node:fs")).readdirSync(jobs)) {
        try {
          const pgid = Number(readFileSync(path.join(jobs, d, "pid"), "utf8").trim());
          if (pgid > 1) process.kill(-pgid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }
    }
    await kiln?.dispose();
    for (const s of sshds) await s.dispose();
    for (const l of loops) l.detach();
  }
}

/** Starts bench/delay-probe.ts; resolves once it watches and listens. */
async function startProbe(config: ProbeConfig): Promise<{ result: Promise<ProbeResult> }> {
  const file = `${config.out}.config.json`;
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bench/delay-probe.ts"), file], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
    void exited.then((code) => reject(new Error(`delay probe exited ${code} before it was ready`)));
  });
  return {
    result: exited.then((code) => {
      if (code !== 0) throw new Error(`delay probe exited ${code}`);
      return JSON.parse(readFileSync(config.out, "utf8")) as ProbeResult;
    }),
  };
}

const scrape = async (url: string) => (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text();
const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)`, "m").exec(text)?.[1] ?? NaN);

/** A scrape resets prom-client's event-loop lag figures: the next one covers the time since. */
async function kilnLagReset(url: string): Promise<void> {
  await scrape(url).catch(() => "");
}

/** Kiln's own memory (MiB) and longest event-loop stall since the last scrape, as its /metrics says. */
async function processMemory(url: string): Promise<{ text: string; lagMaxS: number }> {
  try {
    const text = await scrape(url);
    const mib = ["process_resident_memory_bytes", "nodejs_heap_size_used_bytes", "nodejs_heap_size_total_bytes", "nodejs_external_memory_bytes"].map((n) => metric(text, n) / 2 ** 20);
    return { text: `${mib.map((f) => f.toFixed(0)).join(" / ")} MiB`, lagMaxS: metric(text, "nodejs_eventloop_lag_max_seconds") };
  } catch (err) {
    return { text: `not read (${(err as Error).message})`, lagMaxS: NaN };
  }
}

/**
 * Logs in, times the first render of all rows (in the page, every animation frame from navigation
 * start, as the dashboard bench; one warm-up reload for the browser's cache, then `renders`
 * reloads), then samples CDP metrics over a live period.
 */
async function probeDashboard(url: string, rows: number, seconds: number, renders = 3) {
  const b = await launchBrowser({ baseURL: url });
  try {
    const page = await b.newPage();
    await signIn(page);
    // (A string: tsx would wrap a named inner function in a helper the page does not have.)
    await page.addInitScript(`(() => {
      const check = () => {
        if (document.querySelectorAll("tr[data-drive-id]").length >= ${rows}) window.__drawn = performance.now();
        else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    })()`);
    const drawn: number[] = [];
    const drivesApi: number[] = [];
    for (let i = 0; i <= renders; i++) {
      await page.reload();
      await page.waitForFunction(() => (window as unknown as { __drawn?: number }).__drawn !== undefined, null, { timeout: 120_000 });
      const [t, api] = await page.evaluate(() => {
        const e = performance.getEntriesByType("resource").find((r) => r.name.endsWith("/api/v1/drives")) as PerformanceResourceTiming | undefined;
        return [(window as unknown as { __drawn: number }).__drawn, e ? e.responseEnd - e.startTime : NaN];
      });
      if (i === 0) continue;
      drawn.push(t!);
      drivesApi.push(api!);
    }
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const metric = async () => Object.fromEntries(((await cdp.send("Performance.getMetrics")).metrics as { name: string; value: number }[]).map((m) => [m.name, m.value]));
    const m0 = await metric();
    await sleep(seconds * 1000);
    const m1 = await metric();
    return {
      firstRenderMs: median(drawn),
      drawn,
      drivesApi,
      scriptShare: (m1.ScriptDuration! - m0.ScriptDuration!) / seconds,
      taskShare: (m1.TaskDuration! - m0.TaskDuration!) / seconds,
      heapBytes: m1.JSHeapUsedSize!,
      from: Date.now() - seconds * 1000,
      to: Date.now(),
    };
  } finally {
    await b.close();
  }
}
