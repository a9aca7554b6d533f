// A real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) for browser tests,
// and screenshots of every run under test-output/ (gitignored).
import { copyFileSync, mkdirSync } from "node:fs";
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
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, timeout: 30_000 });
  const errors: string[] = [];
  try {
    const context = await browser.newContext({
      baseURL: opts.baseURL,
      viewport: opts.viewport ?? { width: 1280, height: 800 },
      deviceScaleFactor: 1,
      colorScheme: "light",
      reducedMotion: "reduce",
    });
    context.setDefaultTimeout(15_000);
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

/** Saves a screenshot as test-output/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = path.join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? false, animations: "disabled", caret: "hide" });
  return file;
}

/** Copies a run's screenshot into docs/ when KILN_UPDATE_SCREENSHOT=1, so CI never rewrites the README's. */
export function publishScreenshot(file: string, docsName: string): boolean {
  if (process.env.KILN_UPDATE_SCREENSHOT !== "1") return false;
  mkdirSync(DOCS_DIR, { recursive: true });
  copyFileSync(file, path.join(DOCS_DIR, docsName));
  return true;
}
