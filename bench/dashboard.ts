// Scenario `dashboard` (`npm run bench -- dashboard`): the dashboard alone with 600 drives, without
// the 10-host fleet. A database holds 10 hosts, 600 present drives each with its last burn-in, and a
// history of older finished jobs (history-fill.ts); Kiln runs from the build and Chromium loads the
// dashboard again and again. Measured: `GET /api/v1/drives`, the first render (navigation → every
// row drawn, and → every row showing its job's status), and the requests the page makes to get there.
// The rows' jobs are finished ones: no host is reachable, so nothing runs; a running job's row has
// the same cells (progress and ETA are text like the others).
import path from "node:path";
import { kilnProcess } from "../test/helpers/kiln-process.js";
import { TEST_TOKEN } from "../test/helpers/kiln.js";
import { signIn } from "./harness.js";
import { launchBrowser } from "../test/helpers/browser.js";
import { openDatabase } from "../src/db/open.js";
import { fillHistory } from "./history-fill.js";
import { median, quantile, spread } from "./stats.js";

const TARGET_MS = 1000;

export async function dashboard(o: { drives: number; jobs: number; rounds: number }): Promise<string> {
  const kiln = await kilnProcess({ KILN_RETAIN_JOB_DIRS_DAYS: "0", KILN_THIN_SAMPLES_DAYS: "0" }, { built: true });
  try {
    const file = path.join(kiln.dataDir, "kiln.db");
    fillHistory(file, o.jobs);
    // The newest drives (one per job, spread over the 10 hosts) are the ones in the bays now.
    const db = openDatabase(file);
    db.prepare("UPDATE drives SET present = 1 WHERE id > (SELECT max(id) FROM drives) - ?").run(o.drives);
    db.close();
    await kiln.start();

    const apiMs: number[] = [];
    let bytes = 0;
    for (let i = 0; i <= o.rounds * 4; i++) {
      const t = performance.now();
      const res = await fetch(`${kiln.url}/api/v1/drives`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
      const body = await res.text();
      if (i > 0) apiMs.push(performance.now() - t);
      bytes = body.length;
      if (!res.ok) throw new Error(`GET /api/v1/drives: ${res.status}`);
      if ((JSON.parse(body) as unknown[]).length !== o.drives) throw new Error("the drive list is not the filled one");
    }

    const b = await launchBrowser({ baseURL: kiln.url });
    const drawn: number[] = [];
    const complete: number[] = [];
    const requests: number[] = [];
    try {
      const page = await b.newPage();
      await signIn(page);
      let api = 0;
      page.on("request", (r) => {
        if (new URL(r.url()).pathname.startsWith("/api/v1/")) api++;
      });
      // Timed in the page, every animation frame from navigation start (performance.now()), so the
      // figure does not include the bench's round trips to a busy browser.
      // (A string: tsx would wrap a named inner function in a helper the page does not have.)
      await page.addInitScript(`(() => {
        const check = () => {
          const rows = document.querySelectorAll("tr[data-drive-id]").length;
          if (window.__drawn === undefined && rows >= ${o.drives}) window.__drawn = performance.now();
          const shown = document.querySelectorAll('tr[data-drive-id] [data-row-status]:not([data-row-status="idle"]):not([data-row-status=""])').length;
          if (shown >= ${o.drives}) window.__complete = performance.now();
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      })()`);
      for (let i = 0; i <= o.rounds; i++) {
        api = 0;
        await page.reload();
        // Every row shows its job's status (the badge carries the job's status, not "idle").
        await page.waitForFunction(() => (window as unknown as { __complete?: number }).__complete !== undefined, null, { timeout: 120_000 });
        const [tDrawn, tComplete] = await page.evaluate(() => {
          const w = window as unknown as { __drawn: number; __complete: number };
          return [w.__drawn, w.__complete];
        });
        await page.waitForLoadState("networkidle").catch(() => {});
        if (i === 0) continue; // warm-up: the browser's cache of the static files
        drawn.push(tDrawn!);
        complete.push(tComplete!);
        requests.push(api);
      }
    } finally {
      await b.close();
    }
    const p99 = quantile(apiMs, 0.99);
    const med = median(complete);
    console.log(`  dashboard: drives API p50 ${quantile(apiMs, 0.5).toFixed(0)} ms, p99 ${p99.toFixed(0)} ms; rows drawn ${spread(drawn, 0)} ms, complete ${spread(complete, 0)} ms; API requests per load ${spread(requests, 0)}`);
    return [
      `### The dashboard alone, ${o.drives} drives (\`npm run bench -- dashboard\`)`,
      ``,
      `A database with 10 hosts, ${o.drives} present drives each with its last burn-in, and ${o.jobs.toLocaleString("en")} finished jobs in all`,
      `(\`bench/history-fill.ts\`); no host is reachable, so the rows show finished jobs (a running job's row has the same cells).`,
      `Kiln runs from the build; headless Chromium (the tests' one) reloads the logged-in dashboard ${o.rounds} times after one warm-up.`,
      ``,
      `| figure | value | target |`,
      `| --- | --- | --- |`,
      `| \`GET /api/v1/drives\` (${o.drives} drives with their jobs, ${(bytes / 1024).toFixed(0)} KiB), over ${apiMs.length} requests | p50 ${quantile(apiMs, 0.5).toFixed(0)} ms, p99 **${p99.toFixed(0)} ms** | |`,
      `| first render: navigation → ${o.drives} rows drawn | **${spread(drawn, 0, " ms")}** | |`,
      `| first render: navigation → ${o.drives} rows showing their job's status | **${spread(complete, 0, " ms")}** | ≤ ${TARGET_MS} ms (median: ${med <= TARGET_MS ? "met" : "**missed**"}) |`,
      `| API requests the page makes per load | ${spread(requests, 0)} | |`,
      ``,
    ].join("\n");
  } finally {
    await kiln.dispose();
  }
}
