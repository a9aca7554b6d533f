// The "Add a host" panel walks a TrueNAS SCALE admin through it, in a real Chromium against a real
// Kiln and the real test host: the TrueNAS steps and Kiln's sudo list are shown; a user without sudo
// rights is refused with the check's lines and their fixes; a zsh admin with the README's sudo rule is
// added with every line ok; "Check host" on its card runs the check again. KILN_UPDATE_SCREENSHOT=1
// copies the refused check to docs/host-check.png for the README.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { SUDO_COMMANDS, sudoCommandList } from "../src/remote/privilege.js";
import { startTestSshd, type TestSshd } from "./helpers/testhost.js";
import { createHostUser, type HostUser } from "./helpers/host-users.js";
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { launchBrowser, signIn, publishScreenshot, screenshot, type TestBrowser } from "./helpers/browser.js";

const PASSWORD = "correct horse battery staple";
let kiln: TestKiln;
let sshd: TestSshd;
let admin: HostUser;
let noSudo: HostUser;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  kiln = await startTestKiln({ KILN_ADMIN_PASSWORD: PASSWORD });
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey] });
  admin = createHostUser({ shell: "/usr/bin/zsh", sudoCommands: SUDO_COMMANDS.map((c) => c.path) });
  noSudo = createHostUser({ shell: "/usr/bin/zsh" });
  browser = await launchBrowser({ baseURL: kiln.url, viewport: { width: 1280, height: 1700 } });
  page = await browser.newPage();
  await signIn(page, PASSWORD);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await kiln?.stop();
  await sshd?.dispose();
  admin?.dispose();
  noSudo?.dispose();
});

async function fillHost(name: string, user: HostUser): Promise<void> {
  await page.fill("#host-name", name);
  await page.fill("#host-address", "127.0.0.1");
  await page.fill("#host-port", String(sshd.port));
  await page.fill("#host-username", user.name);
}

/** Console errors other than the browser's own line for the expected 422 refusal. */
const unexpectedErrors = () => browser.errors.filter((e) => !/status of 422 \(Unprocessable Entity\)/.test(e));

const lines = (scope: string) =>
  page.$$eval(`${scope} [data-check-id]`, (els) => els.map((e) => [e.getAttribute("data-check-id"), e.getAttribute("data-check-status")]));

describe("Add a host, TrueNAS SCALE style", () => {
  it("shows which user, where the key goes and the exact sudo list", async () => {
    const steps = await page.textContent("#truenas-steps");
    expect(steps).toContain("truenas_admin");
    expect(steps).toContain("Authorized Keys");
    expect(steps).toContain("Allowed sudo commands with no password");
    expect((await page.textContent("#sudo-list"))?.trim()).toBe(sudoCommandList());
  });

  it("refuses a user without sudo rights and lists each problem with its fix", async () => {
    await fillHost("nas-nosudo", noSudo);
    await page.click("#add-host-submit");
    const panel = "#add-host-form [data-add-host-check]";
    await page.waitForSelector(`${panel} [data-check-id="sudo"]`);
    expect(await page.textContent("#add-host-form [data-form-error]")).toMatch(/did not add this host/);
    expect(Object.fromEntries(await lines(panel))).toMatchObject({
      os: "ok", rights: "ok", "tool.badblocks": "fail", "tool.smartctl": "fail", "tool.kill": "fail", sudo: "fail", workdir: "ok",
    });
    expect(await page.textContent(`${panel} [data-check-id="sudo"] .check-fix`)).toContain(`${noSudo.name} ALL=(root) NOPASSWD: ${sudoCommandList()}`);
    expect(await page.textContent(`${panel} [data-check-summary]`)).toMatch(/problems keep this host from running a burn-in/);
    const shot = await screenshot(page, "host-check-refused");
    const box = await page.locator("#add-host").screenshot({ path: shot.replace(/\.png$/, "-panel.png"), animations: "disabled" });
    expect(box.length).toBeGreaterThan(0);
    publishScreenshot(shot.replace(/\.png$/, "-panel.png"), "host-check.png");
    expect(unexpectedErrors()).toEqual([]);
  }, 60_000);

  it("adds the zsh admin with every line ok, and checks it again on demand", async () => {
    await fillHost("nas-scale", admin);
    await page.click("#add-host-submit");
    await page.waitForSelector("[data-add-host-result] [data-new-host-check] [data-check-id='sudo']");
    const added = await lines("[data-add-host-result] [data-new-host-check]");
    expect(added.length).toBeGreaterThan(10);
    expect(added.filter(([, s]) => s !== "ok")).toEqual([]);
    const card = page.locator("li.host", { hasText: "nas-scale" });
    expect(await card.locator("[data-host-address]").textContent()).toContain("· sudo");
    await card.locator("button[data-action=check]").click();
    await card.locator("[data-host-check] [data-check-id='sudo']").waitFor();
    expect(await card.locator("[data-check-summary]").textContent()).toBe("Ready: every check passed.");
    await screenshot(page, "host-check-ok");
    expect(unexpectedErrors()).toEqual([]);
  }, 60_000);
});
