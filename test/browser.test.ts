// The dashboard in a real headless Chromium against the real stack: Kiln with a SQLite file, sshd on
// loopback, badblocks on a rate-limited loop device. Log in, add the host, scan, confirm and start a
// burn-in, watch it live in the drawer until it passes. Screenshots of each run go to test-output/.
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createLoopDevice, createSlowDisk, startTestSshd, type LoopDevice, type TestSshd } from "./helpers/testhost.js";
import { isTerminalJob, startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { launchBrowser, OUTPUT_DIR, publishScreenshot, screenshot, type TestBrowser } from "./helpers/browser.js";

const PASSWORD = "correct-horse-battery";

let kiln: TestKiln;
let sshd: TestSshd;
let workDir: string;
let slow: LoopDevice;
let plain: LoopDevice;
let browser: TestBrowser;
let page: Page;

const devName = (device: string) => device.replace(/^\/dev\//, "");
const rowOf = (device: string) =>
  page.locator("tr[data-drive-id]").filter({
    has: page.locator('[data-cell="device"] .dev-name', { hasText: new RegExp(`^${devName(device)}$`) }),
  });

async function apiDrive(device: string): Promise<any> {
  const { body } = await kiln.api("GET", "/api/v1/drives");
  return (body as any[]).find((d) => d.devPath === device);
}

/** Runs every step even when one throws, then throws the first failure. */
async function settleAll(steps: Array<() => unknown>): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) await Promise.resolve().then(step).catch((err) => failures.push(err));
  if (failures.length) throw failures[0];
}

beforeAll(async () => {
  kiln = await startTestKiln({ KILN_ADMIN_PASSWORD: PASSWORD });
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey] });
  workDir = makeTempDir("work");
  slow = createSlowDisk({ sizeMiB: 4, rateBytesPerSec: 1024 * 1024 });
  plain = createLoopDevice({ sizeMiB: 8 });
  browser = await launchBrowser({ baseURL: kiln.url });
  page = await browser.newPage();
});

afterAll(async () => {
  await settleAll([
    () => browser?.close(),
    async () => {
      // A failed test may leave a burn-in running: cancel it so badblocks is gone before the disk is.
      if (!kiln) return;
      const { body } = await kiln.api("GET", "/api/v1/jobs");
      for (const job of Array.isArray(body) ? body : []) {
        if (isTerminalJob(job)) continue;
        await kiln.api("POST", `/api/v1/jobs/${job.id}/cancel`);
        await kiln.waitForJob(job.id, isTerminalJob, 30_000);
      }
    },
    () => kiln?.stop(),
    () => sshd?.dispose(),
    () => slow?.detach(),
    () => plain?.detach(),
    () => workDir && rmSync(workDir, { recursive: true, force: true }),
  ]);
});

describe("the dashboard in a browser", () => {
  it("sends a visitor to the login page and shows a wrong password in place", async () => {
    await page.goto("/");
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.fill("#login-username", "admin");
    await page.fill("#login-password", "wrong-password");
    await page.click("#login-submit");
    await expectText(page, "[data-form-error]", /Wrong user name or password/);
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await page.inputValue("#login-username")).toBe("admin");
    await page.fill("#login-password", PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === "/"), page.click("#login-submit")]);
    await expectText(page, "[data-user]", /admin/);
    await page.waitForSelector('#live-status[data-live="live"]');
  });

  it("adds a host from the empty state and shows the host key it pinned", async () => {
    await page.waitForSelector("#hosts-empty", { state: "visible" });
    await page.waitForSelector("#drives-empty", { state: "visible" });
    await page.waitForSelector("#add-host-form", { state: "visible" });
    await page.fill("#host-name", "lab-nas");
    await page.fill("#host-address", "127.0.0.1");
    await page.fill("#host-port", String(sshd.port));
    await page.fill("#host-username", "root");
    await page.fill("#host-workdir", workDir);
    await page.check("#host-loop");
    await page.click("#add-host-submit");
    await page.waitForSelector("[data-add-host-result]", { state: "visible" });
    expect(await page.isVisible("#add-host-form [data-form-error]")).toBe(false);
    expect((await page.textContent("[data-new-fingerprint]"))?.trim()).toBe(sshd.hostKeyFingerprint);
    await page.waitForSelector('li[data-host-id] [data-host-status="online"]');
    expect(await page.isVisible("#add-host-form")).toBe(false);
  });

  it("scans, and enables Start only once the exact device name is typed", async () => {
    await page.click('button[data-action="scan"][data-host-id]');
    await rowOf(slow.device).waitFor();
    await rowOf(plain.device).waitFor();
    const drive = await apiDrive(slow.device);
    expect(drive?.confirmName).toBeTruthy();
    await rowOf(slow.device).locator('button[data-action="start"]').click();
    await page.waitForSelector("#start-dialog[open]");
    expect((await page.textContent("#start-dialog .confirm-name"))?.trim()).toBe(drive.confirmName);
    const input = page.locator(`input[data-confirm-input][data-drive-id="${drive.id}"]`);
    await input.fill(`${drive.confirmName}x`);
    expect(await page.isDisabled("#start-submit")).toBe(true);
    await input.fill(drive.confirmName.slice(0, -1));
    expect(await page.isDisabled("#start-submit")).toBe(true);
    await input.fill(drive.confirmName);
    expect(await page.isEnabled("#start-submit")).toBe(true);
    await page.click("#start-submit");
    const outcome = await Promise.race([
      page.waitForSelector("#start-dialog:not([open])", { state: "attached" }).then(() => "closed"),
      page.waitForSelector("[data-start-error]:not([hidden])").then(async (el) => `error: ${await el.textContent()}`),
    ]);
    expect(outcome).toBe("closed");
    const { body: jobs } = await kiln.api("GET", `/api/v1/jobs?driveId=${drive.id}`);
    expect(jobs).toHaveLength(1);
  });

  it("shows the surface test live in the drawer until it passes with 0 bad blocks", async () => {
    const row = rowOf(slow.device);
    await page.evaluate(() => ((window as any).kilnNoReload = true));
    await row.locator('[data-cell="model"]').click();
    await page.waitForSelector("#drawer.open");
    let dashboardWhile = "";
    let dashboardShot = "";
    const samples: DrawerSample[] = await watchDrawer(page, {
      timeoutMs: 60_000,
      // Mid-run: the drawer, then (drawer closed with Esc) the dashboard, then the drawer again.
      async onSample(s, shots) {
        if (shots === 0 && s.surfacePct >= 30) {
          await screenshot(page, "drawer-desktop");
          return true;
        }
        if (shots === 1 && s.surfacePct >= 40) {
          await page.keyboard.press("Escape");
          await page.waitForSelector("#drawer:not(.open)", { state: "attached" });
          await page.mouse.move(0, 0);
          dashboardWhile = (await row.locator("[data-row-status]").getAttribute("data-row-status")) ?? "";
          dashboardShot = await screenshot(page, "dashboard-desktop");
          await row.locator('[data-cell="model"]').click();
          await page.waitForSelector("#drawer.open");
          return true;
        }
        return false;
      },
    });
    const last = samples.at(-1)!;
    writeFileSync(path.join(OUTPUT_DIR, "drawer-samples.json"), JSON.stringify(samples, null, 1));
    expect(last.status).toBe("passed");
    expect(dashboardWhile).toBe("running");
    for (let i = 1; i < samples.length; i++) {
      samples[i]!.values.forEach((v, k) => expect(v, `meter ${k} at sample ${i}`).toBeGreaterThanOrEqual(samples[i - 1]!.values[k]!));
    }
    const midRun = new Set(samples.filter((s) => s.status === "running" && s.surfacePct > 0 && s.surfacePct < 100).map((s) => s.values.join()));
    expect(midRun.size).toBeGreaterThanOrEqual(2);
    expect(new Set(samples.map((s) => s.caption)).size).toBeGreaterThanOrEqual(3);
    expect(last.values).toEqual(Array(8).fill(100));
    expect(last.caption).toMatch(/All 4 patterns written and verified/);
    await page.waitForSelector('#drawer [data-badblocks="0"].is-good');
    await page.waitForSelector('#drawer [data-stage="surface_validate"][data-status="passed"]');
    expect(await page.evaluate(() => (window as any).kilnNoReload)).toBe(true);
    const drive = await apiDrive(slow.device);
    const job = (await kiln.api("GET", `/api/v1/jobs?driveId=${drive.id}`)).body[0];
    expect(job.status).toBe("passed");
    expect(job.badBlocks).toEqual([]);
    publishScreenshot(await screenshot(page, "drawer-passed"), "drawer.png");
    publishScreenshot(dashboardShot, "screenshot.png");
  });

  it("lays the dashboard out on a phone without sideways scrolling", async () => {
    const phone = await browser.newPage();
    try {
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto("/");
      await phone.waitForSelector("tr[data-drive-id]");
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      await screenshot(phone, "dashboard-phone", { fullPage: true });
      expect(overflow).toBeLessThanOrEqual(0);
    } finally {
      await phone.close();
    }
  });

  it("refuses a write from the page that lacks the CSRF header", async () => {
    const statuses = await page.evaluate(async () => {
      const token = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";
      const post = (headers: Record<string, string>) =>
        fetch("/api/v1/burnin/start", {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", ...headers },
          body: JSON.stringify({ driveIds: [], confirm: [] }),
        }).then((r) => r.status);
      return { without: await post({}), wrong: await post({ "X-CSRF-Token": "nope" }), with: await post({ "X-CSRF-Token": token }) };
    });
    expect(statuses.without).toBe(403);
    expect(statuses.wrong).toBe(403);
    expect(statuses.with).toBe(400); // past the CSRF check, refused for its empty drive list
    expect(browser.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});

async function expectText(p: Page, selector: string, re: RegExp): Promise<void> {
  await p.waitForSelector(selector, { state: "visible" });
  expect(await p.textContent(selector)).toMatch(re);
}

interface DrawerSample {
  status: string;
  caption: string;
  /** aria-valuenow of the 8 meter halves, pattern by pattern, write then verify. */
  values: number[];
  surfacePct: number;
  /** For the record in test-output/: the live indicator, whether the drawer shows "no job", the time. */
  live: string;
  noJob: boolean;
  at?: number;
}

async function readDrawer(p: Page): Promise<DrawerSample> {
  return p.evaluate(() => {
    const drawer = document.querySelector("#drawer")!;
    const values = [...drawer.querySelectorAll("[data-pattern] [data-half] [data-fill]")].map((el) => Number(el.getAttribute("aria-valuenow")));
    return {
      status: drawer.querySelector("[data-job-status]")?.getAttribute("data-job-status") ?? "",
      caption: drawer.querySelector("[data-caption]")?.textContent ?? "",
      values,
      surfacePct: values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0,
      live: document.querySelector("#live-status")?.getAttribute("data-live") ?? "",
      noJob: !(drawer.querySelector('[data-d="no-job"]') as HTMLElement).hidden,
    };
  });
}

/**
 * Samples the drawer every 200 ms until the job ends. `onSample(sample, shotsTaken)` may take a
 * screenshot and return true to count it.
 */
async function watchDrawer(p: Page, opts: { timeoutMs: number; onSample(s: DrawerSample, shots: number): Promise<boolean> }): Promise<DrawerSample[]> {
  const samples: DrawerSample[] = [];
  const until = Date.now() + opts.timeoutMs;
  let shots = 0;
  for (;;) {
    const s = { ...(await readDrawer(p)), at: Date.now() };
    samples.push(s);
    if (isTerminalJob(s)) return samples;
    if (Date.now() > until) throw new Error(`job still ${s.status} after ${opts.timeoutMs} ms: ${s.caption}`);
    if (await opts.onSample(s, shots)) shots++;
    await p.waitForTimeout(200);
  }
}
