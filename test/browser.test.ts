// The dashboard in a real headless Chromium against the real stack: Kiln with a SQLite file, sshd on
// loopback, badblocks on a rate-limited loop device. Log in, add the host, scan, confirm and start a
// burn-in, watch it live in the drawer until it passes. Screenshots of each run go to test-output/;
// KILN_UPDATE_SCREENSHOT=1 also copies the mid-run dashboard to docs/screenshot.png for the README.
// Slow (~35 s): a real Chromium and a real burn-in watched live in the drawer.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createLoopDevice, createSlowDisk, startTestSshd, type LoopDevice, type TestSshd } from "./helpers/testhost.js";
import { isTerminalJob, startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { launchBrowser, publishScreenshot, screenshot, watchDrawer, type TestBrowser } from "./helpers/browser.js";

const PASSWORD = "correct-horse-battery";
/** Scans and starts (which re-scans the host) run smartctl on every disk: slow on a busy machine. */
const SLOW_STEP_MS = 180_000;

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
        await kiln.waitForJob(job.id, isTerminalJob, 120_000);
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
    await page.waitForSelector("[data-add-host-result]", { state: "visible", timeout: SLOW_STEP_MS });
    expect(await page.isVisible("#add-host-form [data-form-error]")).toBe(false);
    expect((await page.textContent("[data-new-fingerprint]"))?.trim()).toBe(sshd.hostKeyFingerprint);
    await page.waitForSelector('li[data-host-id] [data-host-status="online"]');
    expect(await page.isVisible("#add-host-form")).toBe(false);
    await page.click("[data-add-host-result] [data-action=dismiss-result]");
    await page.waitForSelector("[data-add-host-result]", { state: "hidden" });
  });

  it("scans, and enables Start only once the exact device name is typed", async () => {
    await page.click('button[data-action="scan"][data-host-id]');
    await rowOf(slow.device).waitFor({ timeout: SLOW_STEP_MS });
    await rowOf(plain.device).waitFor();
    const drive = await apiDrive(slow.device);
    expect(drive?.confirmName).toBeTruthy();
    await rowOf(slow.device).locator('button[data-action="start"]').click();
    await page.waitForSelector("#start-dialog[open]");
    expect((await page.textContent("#start-dialog .confirm-name"))?.trim()).toBe(drive.confirmName);
    const input = page.locator(`input[data-confirm-input][data-drive-id="${drive.id}"]`);
    for (const wrong of [`${drive.confirmName}x`, drive.confirmName.slice(0, -1), ` ${drive.confirmName}`]) {
      await input.fill(wrong);
      expect(await page.isDisabled("#start-submit"), `typed ${JSON.stringify(wrong)}`).toBe(true);
    }
    await input.fill(drive.confirmName);
    expect(await page.isEnabled("#start-submit")).toBe(true);
    await page.click("#start-submit");
    // The dialog closes on success and shows the server's 4xx text in place otherwise.
    await page.waitForFunction(() => {
      const dialog = document.querySelector<HTMLDialogElement>("#start-dialog")!;
      return !dialog.open || !dialog.querySelector<HTMLElement>("[data-start-error]")!.hidden;
    }, null, { timeout: SLOW_STEP_MS });
    const error = page.locator("#start-dialog [data-start-error]");
    expect(await error.isVisible() ? await error.textContent() : "").toBe("");
    const { body: jobs } = await kiln.api("GET", `/api/v1/jobs?driveId=${drive.id}`);
    expect(jobs).toHaveLength(1);
  });

  it("shows the surface test live in the drawer until it passes with 0 bad blocks", async () => {
    const row = rowOf(slow.device);
    await page.evaluate(() => ((window as any).kilnNoReload = true));
    await row.locator('[data-cell="model"]').click();
    await page.waitForSelector("#drawer.open");
    let dashboardShot = "";
    let drawerShot = "";
    let rowWhileShot = "";
    const samples = await watchDrawer(page, {
      devName: devName(slow.device),
      timeoutMs: 240_000,
      async server() {
        const job = (await kiln.api("GET", "/api/v1/jobs")).body?.[0];
        return `${job?.status} phase ${job?.surface?.phase ?? "-"}`;
      },
      // Mid-run: the drawer; then the dashboard with the drawer closed by Esc; then the drawer again.
      async onSample(s, shots) {
        if (shots === 0 && s.surfacePct >= 37.5) {
          await page.locator("#drawer .surface").scrollIntoViewIfNeeded();
          drawerShot = await screenshot(page, "drawer-desktop");
          return true;
        }
        if (shots === 1 && s.surfacePct >= 50) {
          await page.keyboard.press("Escape");
          await page.waitForSelector("#drawer:not(.open)", { state: "attached" });
          await page.evaluate(() => {
            (document.activeElement as HTMLElement | null)?.blur();
            window.scrollTo(0, 0);
          });
          await row.scrollIntoViewIfNeeded();
          await page.mouse.move(0, 0);
          rowWhileShot = (await row.locator("[data-row-status]").getAttribute("data-row-status")) ?? "";
          dashboardShot = await screenshot(page, "dashboard-desktop");
          await row.locator('[data-cell="model"]').click();
          await page.waitForSelector("#drawer.open");
          return true;
        }
        return false;
      },
    });
    const last = samples.at(-1)!;
    expect(last.status).toBe("passed");
    expect(rowWhileShot, "row status in the mid-run dashboard shot ('' = no sample caught the run half-way)").toBe("running");
    for (let i = 1; i < samples.length; i++) {
      samples[i]!.values.forEach((v, k) => expect(v, `meter ${k} at sample ${i}`).toBeGreaterThanOrEqual(samples[i - 1]!.values[k]!));
    }
    const midRun = samples.filter((s) => s.status === "running" && s.surfacePct > 0 && s.surfacePct < 100);
    expect(new Set(midRun.map((s) => s.values.join())).size).toBeGreaterThanOrEqual(2);
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
    await screenshot(page, "drawer-passed");
    publishScreenshot(dashboardShot, "screenshot.png");
    publishScreenshot(drawerShot, "drawer.png");
  });

  it("lays the dashboard out on a phone without sideways scrolling", async () => {
    const phone = await browser.newPage();
    try {
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto("/");
      await phone.waitForSelector("tr[data-drive-id]");
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      await screenshot(phone, "dashboard-phone");
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
    const { body: jobs } = await kiln.api("GET", "/api/v1/jobs");
    expect(jobs).toHaveLength(1);
    expect(browser.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});

async function expectText(p: Page, selector: string, re: RegExp): Promise<void> {
  await p.waitForSelector(selector, { state: "visible" });
  expect(await p.textContent(selector)).toMatch(re);
}
