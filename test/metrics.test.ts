// GET /metrics scraped from a Kiln that ran a real passed and a real failed burn-in, parsed line by
// line as Prometheus text exposition format.
// Slow (~30 s): real burn-ins, one held running on a slow disk while the metrics are read.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBench, type TestBench } from "./helpers/finished-jobs.js";
import { TEST_TOKEN } from "./helpers/kiln.js";

interface Sample { name: string; labels: Record<string, string>; value: number }

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;

/** Parses exposition text; throws on the first line that is not valid. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("#")) {
      const m = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
      if (!m) throw new Error(`bad comment line: ${line}`);
      if (m[1] === "TYPE") {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(m[3]!)) throw new Error(`bad type: ${line}`);
        types.set(m[2]!, m[3]!);
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`bad sample line: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? "";
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < body.length) {
      const l = LABEL.exec(body);
      if (!l) throw new Error(`bad labels: ${line}`);
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_s, c: string) => (c === "n" ? "\n" : c));
    }
    const value = Number(m[3] === "+Inf" ? Infinity : m[3] === "-Inf" ? -Infinity : m[3]);
    // Prometheus reads a value with Go's strconv.ParseFloat: NaN in any case (prom-client writes an
    // event-loop figure with no sample since the last scrape as "Nan").
    if (Number.isNaN(value) && m[3]!.toLowerCase() !== "nan") throw new Error(`bad value: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { samples, types };
}

let bench: TestBench;
let passedId: number;
let failedId: number;

async function scrape(headers: Record<string, string> = { authorization: `Bearer ${TEST_TOKEN}` }) {
  const res = await fetch(`${bench.kiln.url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
}

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

beforeAll(async () => {
  bench = await startBench({ slow: true });
  passedId = (await bench.start([bench.good.device], { stages: ["precheck", "surface_validate"] }))[0]!;
  failedId = (await bench.start([bench.bad.device], { stages: ["precheck", "surface_validate"] }))[0]!;
  expect((await bench.waitEnded(passedId!)).status).toBe("passed");
  expect((await bench.waitEnded(failedId!)).status).toBe("failed");
});

afterAll(async () => {
  await bench?.dispose();
});

describe("/metrics", () => {
  it("refuses an unauthenticated scrape or a wrong token", async () => {
    expect((await scrape({})).status).toBe(401);
    expect((await scrape({ authorization: "Bearer wrong" })).status).toBe(401);
  });

  it("answers valid exposition text with jobs by status", async () => {
    const { status, type, text } = await scrape();
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain/);
    const { samples, types } = parseExposition(text);
    expect(types.get("kiln_jobs")).toBe("gauge");
    expect(find(samples, "kiln_jobs", { status: "passed" })[0]?.value).toBe(1);
    expect(find(samples, "kiln_jobs", { status: "failed" })[0]?.value).toBe(1);
    // Kiln's own process: its resident memory and V8 heap, for an operator's alerts.
    expect(find(samples, "process_resident_memory_bytes", {})[0]?.value).toBeGreaterThan(1 << 20);
    expect(find(samples, "nodejs_heap_size_used_bytes", {})[0]?.value).toBeGreaterThan(1 << 20);
    expect(find(samples, "kiln_jobs", { status: "running" })[0]?.value).toBe(0);
    expect(find(samples, "kiln_jobs").length).toBe(7);
  });

  it("reports the bad blocks of each drive's latest job and the host's reachability", async () => {
    const { samples } = parseExposition((await scrape()).text);
    const bad = await bench.driveFor(bench.bad.device);
    const good = await bench.driveFor(bench.good.device);
    const expected = bench.bad.badBlocks(4096).length;
    expect(expected).toBeGreaterThan(0);
    expect(find(samples, "kiln_drive_bad_blocks", { drive: bad.devName, host: "bench-host" })[0]?.value).toBe(expected);
    expect(find(samples, "kiln_drive_bad_blocks", { drive: good.devName })[0]?.value).toBe(0);
    expect(find(samples, "kiln_host_ssh_reachable", { host: "bench-host" })[0]).toMatchObject({ value: 1, labels: { status: "online" } });
    // nothing is running: no progress series
    expect(find(samples, "kiln_drive_progress_percent")).toEqual([]);
  });

  it("shows the progress of a running job, a drive's temperature and an unreachable host", async () => {
    const db = bench.kiln.kiln.db;
    const slow = await bench.driveFor(bench.slow!.device);
    const [id] = await bench.start([bench.slow!.device], { stages: ["surface_validate"] });
    const job = await bench.kiln.waitForJob(id!, (j) => j.status === "running" && (j.surface?.phase ?? 0) >= 1 && j.percent > 0, 180_000);
    let { samples } = parseExposition((await scrape()).text);
    const progress = find(samples, "kiln_drive_progress_percent", { drive: slow.devName, job: String(id), host: "bench-host" });
    expect(progress).toHaveLength(1);
    // The API rounds percent to 2 decimals; the gauge carries the unrounded value of the same or a later commit.
    expect(progress[0]!.value).toBeGreaterThanOrEqual(job.percent - 0.01);
    expect(progress[0]!.value).toBeLessThan(100);
    expect(find(samples, "kiln_jobs", { status: "running" })[0]?.value).toBe(1);
    expect((await bench.kiln.api("POST", `/api/v1/jobs/${id}/cancel`)).status).toBe(202);
    expect((await bench.waitEnded(id!, 180_000)).status).toBe("cancelled");
    // The temperature a stage stored and the host status the registry stored: the scrape follows the database.
    db.prepare("UPDATE drives SET temperature_c = 41 WHERE id = ?").run(slow.id);
    db.prepare("UPDATE hosts SET status = 'unreachable' WHERE id = ?").run(bench.hostId);
    ({ samples } = parseExposition((await scrape()).text));
    expect(find(samples, "kiln_drive_progress_percent")).toEqual([]);
    expect(find(samples, "kiln_drive_temperature_celsius", { drive: slow.devName })[0]?.value).toBe(41);
    expect(find(samples, "kiln_host_ssh_reachable", { host: "bench-host" })[0]).toMatchObject({ value: 0, labels: { status: "unreachable" } });
    db.prepare("UPDATE hosts SET status = 'online' WHERE id = ?").run(bench.hostId);
  });

  it("counts the e-mail outbox backlog when the outbox table exists", async () => {
    const db = bench.kiln.kiln.db;
    const hasOutbox = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").get();
    const before = find(parseExposition((await scrape()).text).samples, "kiln_outbox_backlog");
    if (!hasOutbox) return void expect(before).toEqual([]);
    expect(before).toHaveLength(1);
    const n0 = before[0]!.value;
    db.prepare(`INSERT INTO outbox (dedupe_key, kind, recipients, subject, text, html, next_attempt_at)
                VALUES ('metrics-test', 'test', '[]', 's', 't', 'h', ?)`).run(Date.now() + 3_600_000);
    const after = find(parseExposition((await scrape()).text).samples, "kiln_outbox_backlog");
    expect(after[0]!.value).toBe(n0 + 1);
  });
});
