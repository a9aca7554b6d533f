// The dashboard's table in a real Chromium against a real Kiln whose database holds many drives with
// their last jobs (written the way Kiln keeps them; the hosts are not reachable, so nothing runs):
// every row is drawn from the one drive list, in one insertion, with its job's status; no request
// per drive; a burst of job events touches only the rows it changes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { launchBrowser, signIn, type TestBrowser } from "./helpers/browser.js";

const PASSWORD = "correct-horse-battery";
const DRIVES = 48;
const STATUSES = ["passed", "failed", "cancelled"] as const;
let kiln: TestKiln;
let browser: TestBrowser;
let page: Page;
/** Drive id → the status its row must show ("idle" for the one drive that never ran). */
const expected = new Map<number, string>();

beforeAll(async () => {
  kiln = await startTestKiln({ KILN_ADMIN_PASSWORD: PASSWORD });
  const db = kiln.kiln.db;
  const host = db.prepare("INSERT INTO hosts (name, address, port, username, work_dir, host_key_fingerprint, status) VALUES (?, '192.0.2.1', 22, 'root', '/w', 'SHA256:x', 'unreachable')");
  const drive = db.prepare(`INSERT INTO drives (host_id, identity_key, path, dev_name, dev_path, serial, model, size_bytes, confirm_name, present)
    VALUES (?, ?, ?, ?, ?, ?, 'ST8000VN004', 8000000000000, ?, 1)`);
  const job = db.prepare(`INSERT INTO jobs (drive_id, host_id, status, stages_json, device_path, percent, started_at, finished_at)
    VALUES (?, ?, ?, '["surface_validate"]', ?, ?, '2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z')`);
  const stage = db.prepare("INSERT INTO stages (job_id, seq, name, status, percent) VALUES (?, 0, 'surface_validate', ?, ?)");
  db.transaction(() => {
    const hosts = [Number(host.run("rack-a").lastInsertRowid), Number(host.run("rack-b").lastInsertRowid)];
    for (let n = 0; n < DRIVES; n++) {
      const h = hosts[n % 2]!;
      const serial = `SN${1000 + n}`;
      const d = Number(drive.run(h, `serial:${serial}`, `/dev/disk/by-id/ata-${serial}`, `sd${n}`, `/dev/sd${n}`, serial, `sd${n}`).lastInsertRowid);
      if (n === DRIVES - 1) {
        expected.set(d, "idle");
        continue;
      }
      // An older job first: the row shows the last one.
      job.run(d, h, "failed", `/dev/sd${n}`, 10);
      const status = STATUSES[n % 3]!;
      const id = Number(job.run(d, h, status, `/dev/sd${n}`, status === "passed" ? 100 : 40 + n).lastInsertRowid);
      stage.run(id, status, status === "passed" ? 100 : 40 + n);
      expected.set(d, status);
    }
  })();
  browser = await launchBrowser({ baseURL: kiln.url });
  page = await browser.newPage();
  await signIn(page, PASSWORD);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await kiln?.stop();
});

describe("the dashboard's drive table", () => {
  it("draws every row from the drive list in one insertion, each with its last job's status, without a request per drive", async () => {
    // Counts, from the first script on, the rows inserted into the table and the insertions.
    await page.addInitScript(() => {
      const w = window as unknown as { rowsAdded: number; insertions: number };
      w.rowsAdded = 0;
      w.insertions = 0;
      new MutationObserver((records) => {
        for (const r of records) {
          if ((r.target as Element).id !== "drive-rows" || r.addedNodes.length === 0) continue;
          w.insertions++;
          w.rowsAdded += r.addedNodes.length;
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const requests: string[] = [];
    page.on("request", (r) => {
      const p = new URL(r.url()).pathname;
      if (p.startsWith("/api/v1/")) requests.push(p);
    });
    await page.reload();
    await page.waitForFunction((n) => document.querySelectorAll("tr[data-drive-id]").length >= n, DRIVES);
    await page.waitForSelector('#live-status[data-live="live"]');
    const rows = await page.$$eval("tr[data-drive-id]", (trs) => trs.map((tr) => ({
      id: Number((tr as HTMLElement).dataset.driveId),
      host: tr.querySelector('[data-cell="host"]')!.textContent,
      dev: tr.querySelector(".dev-name")!.textContent,
      status: tr.querySelector("[data-row-status]")!.getAttribute("data-row-status"),
      pct: tr.querySelector("[data-pct]")!.textContent,
    })));
    expect(rows).toHaveLength(DRIVES);
    for (const r of rows) expect([r.id, r.status]).toEqual([r.id, expected.get(r.id)]);
    expect(rows.filter((r) => r.status === "passed").every((r) => r.pct === "100%")).toBe(true);
    // Sorted by host, then device name in natural order.
    const order = rows.map((r) => `${r.host} ${r.dev}`);
    expect(order.slice(0, 3)).toEqual(["rack-a sd0", "rack-a sd2", "rack-a sd4"]);
    expect(order.at(-1)).toBe("rack-b sd47");
    expect(await page.evaluate(() => {
      const w = window as unknown as { rowsAdded: number; insertions: number };
      return { rowsAdded: w.rowsAdded, insertions: w.insertions };
    })).toEqual({ rowsAdded: DRIVES, insertions: 1 });
    expect(requests.filter((p) => p.startsWith("/api/v1/jobs"))).toEqual([]);
    expect(requests.filter((p) => p === "/api/v1/drives")).toHaveLength(1);
  });

  it("patches only the rows a burst of job events changes, in place", async () => {
    const [a, b] = [...expected.keys()];
    // The page's own store module (a string, so the test runner does not rewrite the import).
    await page.evaluate('import("/static/store.js").then((s) => { window.kilnStore = s; })');
    await page.evaluate(async ([first, second]) => {
      const store = (window as unknown as { kilnStore: any }).kilnStore;
      const w = window as unknown as { touched: Set<string>; added: number };
      w.touched = new Set();
      w.added = 0;
      new MutationObserver((records) => {
        for (const r of records) {
          const tr = (r.target instanceof Element ? r.target : r.target.parentElement)?.closest("tr[data-drive-id]");
          if (tr) w.touched.add((tr as HTMLElement).dataset.driveId!);
          if ((r.target as Element).id === "drive-rows") w.added += r.addedNodes.length;
        }
      }).observe(document.querySelector("#drive-rows")!, { childList: true, subtree: true, attributes: true, characterData: true });
      // A burst: several events for the same two jobs in one task, as SSE delivers them.
      for (const [driveId, pct] of [[first, 50], [second, 60], [first, 51], [first, 52]] as const) {
        const drive = store.drives.get(driveId);
        const jobId = drive.activeJobId ?? drive.lastJobId;
        store.putJob({ ...store.jobs.get(jobId), id: jobId, driveId, status: "running", percent: pct, etaSeconds: 3600 });
      }
    }, [a, b]);
    await page.waitForFunction(([first]) => document.querySelector(`tr[data-drive-id="${first}"] [data-pct]`)?.textContent === "52%", [a]);
    const seen = await page.evaluate(() => {
      const w = window as unknown as { touched: Set<string>; added: number };
      return { touched: [...w.touched].map(Number).sort((x, y) => x - y), added: w.added };
    });
    expect(seen).toEqual({ touched: [a!, b!].sort((x, y) => x - y), added: 0 });
    expect(await page.textContent(`tr[data-drive-id="${b}"] [data-pct]`)).toBe("60%");
    expect(await page.getAttribute(`tr[data-drive-id="${a}"] [data-row-status]`, "data-row-status")).toBe("running");
  });
});
