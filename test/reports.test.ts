// The burn-in report of a real passed job and a real failed job (the bad disk), checked field by
// field in JSON, rendered by Chromium to PDF and PNG, and the batch page of a run.
// Slow (~25 s): real burn-ins to report on, and Chromium to print the reports.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { startBench, type TestBench } from "./helpers/finished-jobs.js";
import { TEST_TOKEN } from "./helpers/kiln.js";
import { CHROMIUM_PATH, OUTPUT_DIR } from "./helpers/browser.js";
import { parseSmartctl } from "../src/smart/parse.js";
import { saveSnapshot } from "../src/smart/store.js";

const ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];
const DEFAULT_STAGES = ["precheck", "smart_short", "surface_validate", "smart_long", "final_check"];

let bench: TestBench;
let browser: Browser | undefined;
let passed: any;
let failed: any;

/** A SMART reading from a hand-written fixture (disk hardware cannot run here), stored like a stage does. */
function fixtureSnapshot(name: string) {
  const raw = JSON.parse(readFileSync(path.join("test/fixtures/smart", name), "utf8"));
  const parsed = parseSmartctl(raw, 0);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.snapshot;
}

const report = async (id: number) => {
  const res = await bench.kiln.api("GET", `/api/v1/jobs/${id}/report?format=json`);
  expect(res.status).toBe(200);
  return res.body;
};

beforeAll(async () => {
  bench = await startBench();
  const [goodId] = await bench.start([bench.good.device]);
  const [badId] = await bench.start([bench.bad.device], {
    stages: ["precheck", "surface_validate"], options: { blocksAtOnce: 16, patterns: ["0xaa", "0x00"] },
  });
  passed = await bench.waitEnded(goodId!);
  failed = await bench.waitEnded(badId!);
});

afterAll(async () => {
  await browser?.close();
  await bench?.dispose();
});

describe("the JSON report", () => {
  it("describes the passed job: drive, host, stages, options, verdict and times", async () => {
    expect(passed.status).toBe("passed");
    const r = await report(passed.id);
    const drive = await bench.driveFor(bench.good.device);
    const row = bench.kiln.kiln.db.prepare("SELECT * FROM drives WHERE id = ?").get(drive.id) as any;
    expect(r.jobId).toBe(passed.id);
    expect(r.drive).toEqual({
      id: drive.id, model: row.model, serial: row.serial, wwn: row.wwn, capacityBytes: 8 * 1024 * 1024,
      firmware: row.firmware, devName: drive.devName, path: drive.path, transport: row.transport, rotational: row.rotational === 1,
    });
    expect(r.host).toEqual({ id: bench.hostId, name: "bench-host", address: "127.0.0.1" });
    expect(r.verdict).toEqual({ status: "passed", errorText: null });
    expect(r.stages.map((s: any) => s.name)).toEqual(DEFAULT_STAGES);
    for (const [i, s] of r.stages.entries()) {
      const snap = passed.stages[i];
      expect(s).toMatchObject({ name: snap.name, status: snap.status, startedAt: snap.startedAt, finishedAt: snap.finishedAt, errorText: snap.errorText });
      if (s.startedAt && s.finishedAt) expect(Date.parse(s.finishedAt)).toBeGreaterThanOrEqual(Date.parse(s.startedAt));
    }
    expect(r.stages.find((s: any) => s.name === "surface_validate").status).toBe("passed");
    expect(r.stages.find((s: any) => s.name === "smart_short").status).toBe("skipped");
    expect(r.badBlocks).toEqual({ count: 0, blocks: [] });
    expect(r.badblocksOptions).toEqual({
      blockSize: 4096, blockSizeChosen: "auto", blocksAtOnce: 64, patterns: ["0xaa", "0x55", "0xff", "0x00"], maxBadBlocks: null,
    });
    expect(r.startedAt).toBe(passed.startedAt);
    expect(r.finishedAt).toBe(passed.finishedAt);
    expect(r.durationSeconds).toBe(Math.round((Date.parse(passed.finishedAt) - Date.parse(passed.startedAt)) / 1000));
    expect(r.createdBy).toMatch(/^api-token@/);
    expect(r.notes.map((n: any) => n.kind)).toEqual(expect.arrayContaining(["created", "started", "ended"]));
    expect(r.counts).toEqual({ reattached: 0, lostContact: 0, paused: 0, resumed: 0 });
    expect(r.smart).toBeNull();
    expect(r.temperature).toBeNull();
  });

  it("describes the failed job with the exact bad blocks, the operator's options and the reason", async () => {
    expect(failed.status).toBe("failed");
    const r = await report(failed.id);
    const expected = bench.bad.badBlocks(4096);
    expect(expected.length).toBeGreaterThan(0);
    expect(r.badBlocks).toEqual({ count: expected.length, blocks: expected });
    expect(r.verdict.status).toBe("failed");
    expect(r.verdict.errorText).toBe(failed.errorText);
    expect(r.verdict.errorText).toMatch(/bad blocks/);
    expect(r.badblocksOptions).toEqual({
      blockSize: 4096, blockSizeChosen: "auto", blocksAtOnce: 16, patterns: ["0xaa", "0x00"], maxBadBlocks: null,
    });
    expect(r.stages.map((s: any) => [s.name, s.status])).toEqual(failed.stages.map((s: any) => [s.name, s.status]));
    const surface = r.stages.find((s: any) => s.name === "surface_validate");
    expect(surface.status).toBe("failed");
    expect(surface.errorText).toBeTruthy();
    expect(r.drive.capacityBytes).toBe(8 * 1024 * 1024);
  });

  it("carries SMART before and after with the changes when the job has them", async () => {
    const db = bench.kiln.kiln.db;
    saveSnapshot(db, passed.id, "before", fixtureSnapshot("ata-healthy-documented-schema.json"));
    saveSnapshot(db, passed.id, "after", fixtureSnapshot("ata-pending-grown-documented-schema.json"));
    const r = await report(passed.id);
    expect(r.smart.before.healthPassed).toBe(true);
    expect(r.smart.after).not.toBeNull();
    const pending = r.smart.changes.find((c: any) => c.id === 197);
    expect(pending).toMatchObject({ before: 0, after: 8, worse: true });
    expect(r.smart.verdict.status).not.toBe("passed");
    expect(r.temperature.minC).toBeLessThanOrEqual(r.temperature.maxC);
  });

  it("answers 404 for a missing job and 400 for an unknown format", async () => {
    expect((await bench.kiln.api("GET", "/api/v1/jobs/999999/report")).status).toBe(404);
    expect((await bench.kiln.api("GET", `/api/v1/jobs/${passed.id}/report?format=xml`)).status).toBe(400);
    expect((await fetch(`${bench.kiln.url}/api/v1/jobs/${passed.id}/report`)).status).toBe(401);
  });
});

describe("the printable report", () => {
  it("renders both reports in Chromium to at most two A4 pages, without CSP errors", async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, timeout: 30_000 });
    const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${TEST_TOKEN}` } });
    mkdirSync(OUTPUT_DIR, { recursive: true });
    for (const [name, job] of [["passed", passed], ["failed", failed]] as const) {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      page.on("pageerror", (e) => errors.push(e.message));
      const res = await page.goto(`${bench.kiln.url}/api/v1/jobs/${job.id}/report?format=html`);
      expect(res?.status()).toBe(200);
      expect(await page.locator("[data-verdict]").textContent()).toBe(name.toUpperCase());
      expect(await page.locator("[data-bad-count]").textContent()).toBe(String(job.badBlocks.length));
      const stageRows = await page.locator("[data-stage]").count();
      expect(stageRows).toBe(job.stages.length);
      // the stylesheet applied: the verdict badge has its colour from report.css
      const bg = await page.locator("[data-verdict]").evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(bg).not.toBe("rgba(0, 0, 0, 0)");
      await page.screenshot({ path: path.join(OUTPUT_DIR, `report-${name}.png`), fullPage: true });
      const pdf = await page.pdf({ format: "A4", printBackground: true });
      writeFileSync(path.join(OUTPUT_DIR, `report-${name}.pdf`), pdf);
      const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page(?!s)/g) ?? []).length;
      expect(pages).toBeGreaterThanOrEqual(1);
      expect(pages).toBeLessThanOrEqual(2);
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it("shows a batch with the verdict of each of its jobs", async () => {
    const res = await fetch(`${bench.kiln.url}/batches/${failed.batchId}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`data-job="${failed.id}" data-status="failed"`);
    expect(html).not.toContain(`data-job="${passed.id}"`);
    expect((await fetch(`${bench.kiln.url}/batches/00000000-0000-0000-0000-000000000000`, {
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
    })).status).toBe(404);
    const anon = await fetch(`${bench.kiln.url}/batches/${failed.batchId}`, { redirect: "manual" });
    expect(anon.status).toBe(303);
  });
});
