// Browser tests of the operator pages (real Kiln, sshd, badblocks, Chromium): history filters, the
// restart button, the drawer's charts drawing, and the history page at phone width.
// Slow (~30 s): a real Chromium, and burn-ins run to their end to fill the history.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createLoopDevice, createSlowDisk, startTestSshd, type LoopDevice, type SlowDisk, type TestSshd } from "./helpers/testhost.js";
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { cancel, hostWithDrives, isTerminalJob, job as jobNow, startOne, waitJob } from "./helpers/api.js";
import { launchBrowser, signIn, screenshot, type TestBrowser } from "./helpers/browser.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { recordSample } from "../src/jobs/samples.js";

const PASSWORD = "correct-horse-battery";
let kiln: TestKiln;
let sshd: TestSshd;
let plain: LoopDevice;
let slow: SlowDisk;
let browser: TestBrowser;
let page: Page;
let passedId: number;
let cancelledId: number;
let plainDriveId: number;

beforeAll(async () => {
  kiln = await startTestKiln({ KILN_ADMIN_PASSWORD: PASSWORD });
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey] });
  plain = createLoopDevice({ sizeMiB: 8 });
  slow = createSlowDisk({ sizeMiB: 4, rateBytesPerSec: 1024 * 1024 });
  const { drives: [p, s] } = await hostWithDrives(kiln, sshd, [plain, slow], { name: "hist", workDir: makeTempDir("work") });
  plainDriveId = p!.id;
  passedId = await startOne(kiln, p!, { stages: ["surface_validate"] });
  expect((await waitJob(kiln, passedId)).status).toBe("passed");
  cancelledId = await startOne(kiln, s!, { stages: ["surface_validate"] });
  await waitJob(kiln, cancelledId, (j) => (j.surface?.phase ?? 0) >= 1);
  await cancel(kiln, cancelledId);
  expect((await waitJob(kiln, cancelledId)).status).toBe("cancelled");
  // A loop device has no temperature and this job is shorter than the one-a-minute sampling, so the
  // chart data of a long run is written into the real database the way the reader writes it.
  const t0 = Date.now() - 20 * 60_000;
  for (let i = 0; i < 20; i++) {
    recordSample(kiln.kiln.db, passedId, { at: new Date(t0 + i * 60_000).toISOString(), temperatureC: 35 + (i % 7), mbps: 120 + i, percent: i * 5 });
  }
  browser = await launchBrowser({ baseURL: kiln.url });
  page = await browser.newPage();
  await signIn(page, PASSWORD);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const job of ((await kiln?.api("GET", "/api/v1/jobs"))?.body ?? []) as any[]) {
    if (!isTerminalJob(job)) {
      await kiln.api("POST", `/api/v1/jobs/${job.id}/cancel`);
      await waitJob(kiln, job.id, isTerminalJob, 180_000);
    }
  }
  await kiln?.stop();
  await sshd?.dispose();
  plain?.detach();
  slow?.detach();
});

const rowIds = async () => page.$$eval("tr[data-job-id]", (rows) => rows.map((r) => Number(r.getAttribute("data-job-id"))));

describe("operator pages in a browser", () => {
  it("filters the history and restarts a cancelled job from it", async () => {
    await page.goto("/history");
    await page.waitForSelector(`tr[data-job-id="${cancelledId}"]`);
    expect((await rowIds()).sort()).toEqual([passedId, cancelledId].sort());
    await page.selectOption("#f-status", "cancelled");
    await page.click("#history-filters button[type=submit]");
    await page.waitForFunction((id) => {
      const rows = [...document.querySelectorAll("tr[data-job-id]")].map((r) => Number(r.getAttribute("data-job-id")));
      return rows.length === 1 && rows[0] === id;
    }, cancelledId);
    expect(page.url()).toContain("status=cancelled");
    expect(await page.$(`tr[data-job-id="${cancelledId}"] [data-action="restart"]`)).not.toBeNull();
    await page.click(`tr[data-job-id="${cancelledId}"] [data-action="restart"]`);
    await page.waitForSelector("#history-notice:not([hidden])");
    const notice = await page.textContent("#history-notice");
    const newId = Number(/as job #(\d+)/.exec(notice ?? "")?.[1]);
    expect(newId).toBeGreaterThan(cancelledId);
    const job = await jobNow(kiln, newId);
    expect(job.restartOf).toBe(cancelledId);
    await kiln.api("POST", `/api/v1/jobs/${newId}/cancel`);
    await waitJob(kiln, newId, isTerminalJob, 180_000);
    await screenshot(page, "history-filtered");
  });

  it("draws the temperature and MB/s charts in the drawer", async () => {
    await page.goto("/");
    await page.click(`tr[data-drive-id="${plainDriveId}"] .dev-name`);
    await page.waitForSelector("#drawer.open");
    for (const chart of ["temperature", "mbps"]) {
      const series = page.locator(`[data-chart="${chart}"] [data-series]`);
      await expect.poll(async () => series.getAttribute("data-points"), { timeout: 120_000 }).toBe("20");
      const d = await series.getAttribute("d");
      expect(d).toMatch(/^M[\d.]+[ ,][\d.]+/);
      expect((d ?? "").split(/[ML]/).filter(Boolean).length).toBe(20);
    }
    await screenshot(page, "drawer-charts");
  });

  it("fits the history page on a phone", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/history");
    await page.waitForSelector("tr[data-job-id]");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await screenshot(page, "history-phone", { fullPage: true });
  });
});
