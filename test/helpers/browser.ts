// A real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) for browser tests,
// screenshots and records of every run under test-output/ (gitignored), and a sampler of the drive
// drawer that watches a burn-in live.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

const ARGS = [
  "--no-sandbox", // we run as root in a container
  "--headless",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const OUTPUT_DIR = path.join(ROOT, "test-output");
export const DOCS_DIR = path.join(ROOT, "docs");

export interface TestBrowser {
  browser: Browser;
  /** One context per test file: its own cookies, a desktop viewport unless told otherwise. */
  context: BrowserContext;
  /** Opens a page in the context; console errors and page errors are collected in `errors`. */
  newPage(): Promise<Page>;
  errors: string[];
  close(): Promise<void>;
}

export async function launchBrowser(opts: { baseURL: string; viewport?: { width: number; height: number } }): Promise<TestBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, timeout: 180_000 });
  const errors: string[] = [];
  try {
    const context = await browser.newContext({
      baseURL: opts.baseURL,
      viewport: opts.viewport ?? { width: 1280, height: 800 },
      deviceScaleFactor: 1,
      colorScheme: "light",
      reducedMotion: "reduce",
    });
    // Generous: Chromium on a loaded 2-core machine (CI right after a push) can take many seconds
    // to render a page; a test waits for what the page must show, not for how fast it shows it.
    context.setDefaultTimeout(120_000);
    context.setDefaultNavigationTimeout(120_000);
    return {
      browser,
      context,
      errors,
      async newPage() {
        const page = await context.newPage();
        page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
        page.on("console", (msg) => {
          if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
        });
        return page;
      },
      async close() {
        await context.close().catch(() => {});
        await browser.close();
      },
    };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

/** Signs in on the login page as `username` and waits for the dashboard. */
export async function signIn(page: Page, password: string, username = "admin"): Promise<void> {
  await page.goto("/login");
  await page.fill("#login-username", username);
  await page.fill("#login-password", password);
  await Promise.all([page.waitForURL((u) => u.pathname === "/"), page.click("#login-submit")]);
}

/** Saves a screenshot as test-output/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = path.join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? false, animations: "disabled", caret: "hide" });
  return file;
}

/** Saves a text record of the run (samples, traces) as test-output/<name>. */
export function writeOutput(name: string, text: string): string {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = path.join(OUTPUT_DIR, name);
  writeFileSync(file, text);
  return file;
}

/** Copies a run's screenshot into docs/ when KILN_UPDATE_SCREENSHOT=1, so CI never rewrites the README's. */
export function publishScreenshot(file: string, docsName: string): boolean {
  if (process.env.KILN_UPDATE_SCREENSHOT !== "1") return false;
  mkdirSync(DOCS_DIR, { recursive: true });
  copyFileSync(file, path.join(DOCS_DIR, docsName));
  return true;
}

// Reading the drive drawer of the dashboard.

export interface DrawerSample {
  /** data-job-status of the drawer: "" while it shows no job. */
  status: string;
  caption: string;
  /** aria-valuenow of the meter halves, pattern by pattern, write then verify. */
  values: number[];
  /** Mean of `values`: the surface test's progress as the meters show it. */
  surfacePct: number;
  /** For the record in test-output/: the live indicator, the "no job" note, the row's status. */
  live: string;
  noJob: boolean;
  rowStatus: string;
  /** What the server said at the same moment (caller-supplied), and when. */
  server: string;
  at: number;
}

export async function readDrawer(page: Page, devName: string): Promise<Omit<DrawerSample, "server" | "at">> {
  return page.evaluate((dev) => {
    const drawer = document.querySelector("#drawer")!;
    const values = [...drawer.querySelectorAll("[data-pattern] [data-half] [data-fill]")].map((el) => Number(el.getAttribute("aria-valuenow")));
    const row = [...document.querySelectorAll("tr[data-drive-id]")].find((tr) => tr.querySelector(".dev-name")?.textContent === dev);
    return {
      status: drawer.querySelector("[data-job-status]")?.getAttribute("data-job-status") ?? "",
      caption: drawer.querySelector("[data-caption]")?.textContent ?? "",
      values,
      surfacePct: values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0,
      live: document.querySelector("#live-status")?.getAttribute("data-live") ?? "",
      noJob: !(drawer.querySelector('[data-d="no-job"]') as HTMLElement).hidden,
      rowStatus: row?.querySelector("[data-row-status]")?.getAttribute("data-row-status") ?? "(no row)",
    };
  }, devName);
}

const ENDED = new Set(["passed", "failed", "cancelled", "unknown"]);

/**
 * Samples the drawer every `everyMs` until it shows the job ended, keeping every sample in
 * test-output/drawer-samples.json (also when it times out). `onSample(sample, marks)` may act
 * (a screenshot, say) and return true to count a mark.
 */
export async function watchDrawer(
  page: Page,
  opts: {
    devName: string;
    timeoutMs: number;
    everyMs?: number;
    server(): Promise<string>;
    onSample(s: DrawerSample, marks: number): Promise<boolean>;
  },
): Promise<DrawerSample[]> {
  const samples: DrawerSample[] = [];
  const until = Date.now() + opts.timeoutMs;
  let marks = 0;
  try {
    for (;;) {
      const s = { ...(await readDrawer(page, opts.devName)), server: await opts.server(), at: Date.now() };
      samples.push(s);
      if (ENDED.has(s.status)) return samples;
      if (Date.now() > until) throw new Error(`the drawer still shows "${s.status}" after ${opts.timeoutMs} ms; the server: ${s.server}`);
      if (await opts.onSample(s, marks)) marks++;
      await page.waitForTimeout(opts.everyMs ?? 200);
    }
  } finally {
    writeOutput("drawer-samples.json", JSON.stringify(samples, null, 1));
  }
}
