// The settings page's "Phone and chat alerts" in Chromium, against a real Kiln and the push services'
// stand-in process: targets shown masked, a malformed URL refused in place, a target added, a test sent
// per target, a permanent refusal shown with the service's reason, a target removed; hidden from viewers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { launchBrowser, signIn, publishScreenshot, screenshot, type TestBrowser } from "./helpers/browser.js";
import { startStandin, type Standin } from "./helpers/notify-standin.js";

const PASSWORD = "correct-horse-battery";
const SECRETS = ["envTokenSECRET", "addedTokenSECRET", "BADURLSECRET"];
let kiln: TestKiln;
let standin: Standin;
let browser: TestBrowser;
let page: Page;

const row = (kind: string, masked: string) => page.locator(`tr[data-kind="${kind}"]`, { has: page.locator("[data-masked]", { hasText: masked }) });

beforeAll(async () => {
  standin = await startStandin();
  kiln = await startTestKiln({
    KILN_ADMIN_PASSWORD: PASSWORD, KILN_MAIL_RETRY_SECONDS: "0.2",
    KILN_NOTIFY_URLS: `telegram://111:envTokenSECRET@telegram?chats=-42&endpoint=${standin.base}`,
  });
  browser = await launchBrowser({ baseURL: kiln.url });
  page = await browser.newPage();
  await signIn(page, PASSWORD);
  await page.goto("/settings");
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await kiln?.stop();
  await standin?.dispose();
});

describe("alert targets on the settings page", () => {
  it("shows the environment's target masked, with a test button and no remove", async () => {
    const env = row("telegram", "chats=-42");
    await expect.poll(() => env.count()).toBe(1);
    expect(await env.locator("[data-masked]").textContent()).toBe(`telegram://***@telegram?chats=-42&endpoint=${standin.base}`);
    expect(await env.textContent()).toContain("KILN_NOTIFY_URLS");
    expect(await env.locator('[data-action="remove-target"]').count()).toBe(0);

    await env.locator('[data-action="test-target"]').click();
    await expect.poll(() => page.textContent("[data-target-result]")).toMatch(/Test message queued/);
    await standin.waitFor((r) => r.service === "telegram" && r.body.chat_id === "-42");
    await expect.poll(() => env.locator("[data-row-status]").textContent(), { timeout: 120_000 }).toBe("sent");
  });

  it("refuses a malformed URL in place, saying why, without echoing it", async () => {
    await page.fill('[data-target-form] input[name="url"]', "discord://BADURLSECRET@webhook-name");
    await page.click('[data-target-form] button[type="submit"]');
    const msg = page.locator("[data-target-result]");
    await expect.poll(() => msg.textContent()).toMatch(/^discord: the webhook id \(after the @\) must be the number/);
    expect(await msg.getAttribute("class")).toContain("is-error");
    expect(await page.locator("tr[data-target-id]").count()).toBe(1);
  });

  it("adds a target, shows a permanent refusal with the service's reason, and removes it", async () => {
    await page.fill('[data-target-form] input[name="url"]', `telegram://222:addedTokenSECRET@telegram?chats=bad-chat&endpoint=${standin.base}`);
    await page.click('[data-target-form] button[type="submit"]');
    const added = row("telegram", "chats=bad-chat");
    await expect.poll(() => added.count()).toBe(1);
    expect(await page.inputValue('[data-target-form] input[name="url"]')).toBe("");
    await added.locator('[data-action="test-target"]').click();
    await expect.poll(() => added.locator("[data-target-error]").textContent(), { timeout: 120_000 })
      .toBe("HTTP 400 from telegram: Bad Request: chat not found (not retried)");
    expect(await added.locator("[data-row-status]").textContent()).toBe("failed");
    publishScreenshot(await screenshot(page, "settings-alert-targets", { fullPage: true }), "settings-alerts.png");

    const html = await page.content();
    for (const s of SECRETS) expect(html.includes(s), s).toBe(false);

    await added.locator('[data-action="remove-target"]').click();
    await expect.poll(() => added.count()).toBe(0);
    expect(await page.locator("tr[data-target-id]").count()).toBe(1);
    expect(browser.errors.filter((e) => !/status of 40[09]/.test(e))).toEqual([]);
  });

  it("is hidden from a viewer, whose API calls for it are refused", async () => {
    expect((await kiln.api("POST", "/api/v1/users", { username: "watcher", password: "viewer-password", role: "viewer" })).status).toBe(201);
    const ctx = await browser.browser.newContext({ baseURL: kiln.url });
    try {
      const viewer = await ctx.newPage();
      await signIn(viewer, "viewer-password", "watcher");
      await viewer.goto("/settings");
      expect(await viewer.locator("#alert-targets").isVisible()).toBe(false);
      expect(await viewer.evaluate(async () => (await fetch("/api/v1/notify/targets")).status)).toBe(403);
    } finally {
      await ctx.close();
    }
  });
});
