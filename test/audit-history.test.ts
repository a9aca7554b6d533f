// The audit log (who did what from where), the job history filters, the CSV export and the batch
// page, all from real burn-ins through the API on the real test host.
// Slow (~45 s): fills the history with real burn-ins (passed, failed, cancelled, restarted) before it reads it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBench, type TestBench } from "./helpers/finished-jobs.js";
import { TEST_TOKEN } from "./helpers/kiln.js";

let bench: TestBench;
const ids: Record<string, number> = {};
let batch: string;

/** RFC 4180: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(cell), (cell = "");
    else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell), rows.push(row), (row = []), (cell = ""), i++;
    } else cell += c;
  }
  if (cell !== "" || row.length) row.push(cell), rows.push(row);
  return rows;
}

const jobsWith = async (query: string) => {
  const res = await bench.kiln.api("GET", `/api/v1/jobs?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body as any[]).map((j) => j.id as number).sort((a, b) => a - b);
};
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  bench = await startBench({ extraDisks: 1, slow: true });
  const stages = ["precheck", "surface_validate"];
  const pair = await bench.start([bench.good.device, bench.extra[0]!.device], { stages });
  ids.good = pair[0]!;
  ids.extra = pair[1]!;
  ids.bad = (await bench.start([bench.bad.device], { stages }))[0]!;
  for (const k of ["good", "extra", "bad"]) await bench.waitEnded(ids[k]!);
  batch = (await bench.kiln.api("GET", `/api/v1/jobs/${ids.good}`)).body.batchId;
  ids.slow = (await bench.start([bench.slow!.device], { stages: ["surface_validate"] }))[0]!;
  await bench.kiln.waitForJob(ids.slow!, (j) => j.status === "running" && (j.surface?.phase ?? 0) >= 1, 180_000);
  expect((await bench.kiln.api("POST", `/api/v1/jobs/${ids.slow}/cancel`)).status).toBe(202);
  await bench.waitEnded(ids.slow!, 180_000);
  // The login-free restart, from loopback without any credential.
  const restart = await fetch(`${bench.kiln.url}/api/v1/jobs/${ids.slow}/restart`, { method: "POST" });
  expect(restart.status).toBe(202);
  ids.restarted = ((await restart.json()) as { id: number }).id;
  await bench.kiln.waitForJob(ids.restarted!, (j) => j.status === "running" && (j.surface?.phase ?? 0) >= 1, 180_000);
  expect((await bench.kiln.api("POST", `/api/v1/jobs/${ids.restarted}/cancel`)).status).toBe(202);
  await bench.waitEnded(ids.restarted!, 180_000);
  const fp = bench.sshd.hostKeyFingerprint;
  expect((await bench.kiln.api("POST", `/api/v1/hosts/${bench.hostId}/repin`, { fingerprint: fp })).status).toBe(200);
});

afterAll(async () => {
  await bench?.dispose();
});

describe("the audit log", () => {
  it("records each start with the actor, the address and the job", async () => {
    const res = await bench.kiln.api("GET", "/api/v1/audit?action=job.start");
    expect(res.status).toBe(200);
    const starts = res.body as any[];
    expect(starts.map((e) => e.target).sort()).toEqual(
      ["good", "extra", "bad", "slow"].map((k) => `job:${ids[k]}`).sort(),
    );
    const good = await bench.driveFor(bench.good.device);
    const first = starts.find((e) => e.target === `job:${ids.good}`);
    expect(first).toMatchObject({ actor: "api-token", address: "127.0.0.1", action: "job.start", detail: { driveId: good.id } });
    expect(Date.parse(first.at)).toBeGreaterThan(Date.now() - 10 * 60_000);
    // a restart is its own entry (job.restart), not a second start
    expect(starts.find((e) => e.target === `job:${ids.restarted}`)).toBeUndefined();
  });

  it("records cancels, the loopback restart, the host add and the re-pin, newest first", async () => {
    const all = (await bench.kiln.api("GET", "/api/v1/audit")).body as any[];
    const summary = all.map((e) => `${e.action} ${e.target} ${e.actor}@${e.address}`);
    expect(summary).toContain(`job.cancel job:${ids.slow} api-token@127.0.0.1`);
    expect(summary).toContain(`job.cancel job:${ids.restarted} api-token@127.0.0.1`);
    expect(summary).toContain(`job.restart job:${ids.slow} loopback@127.0.0.1`);
    expect(summary).toContain(`host.add host:${bench.hostId} api-token@127.0.0.1`);
    expect(summary[0]).toBe(`host.repin host:${bench.hostId} api-token@127.0.0.1`);
    expect(all.find((e) => e.action === "job.restart").detail).toEqual({ newJobId: ids.restarted });
    const idsDesc = all.map((e) => e.id);
    expect(idsDesc).toEqual([...idsDesc].sort((a, b) => b - a));
  });

  it("is not readable without authentication and refuses unknown actions", async () => {
    expect((await fetch(`${bench.kiln.url}/api/v1/audit`)).status).toBe(401);
    expect((await bench.kiln.api("GET", "/api/v1/audit?action=nope")).status).toBe(400);
  });
});

describe("the job history", () => {
  it("filters by host id or name, status and serial", async () => {
    const all = Object.values(ids).sort((a, b) => a - b);
    expect(await jobsWith("")).toEqual(all);
    expect(await jobsWith(`host=${bench.hostId}`)).toEqual(all);
    expect(await jobsWith("host=bench-host")).toEqual(all);
    expect(await jobsWith("host=other-host")).toEqual([]);
    expect(await jobsWith(`host=${bench.hostId + 1}`)).toEqual([]);
    expect(await jobsWith("status=failed")).toEqual([ids.bad]);
    expect(await jobsWith("status=cancelled")).toEqual([ids.slow, ids.restarted].sort((a, b) => a! - b!));
    // loop devices have no serial: give one drive the serial a real disk would report
    const extra = await bench.driveFor(bench.extra[0]!.device);
    bench.kiln.kiln.db.prepare("UPDATE drives SET serial = 'WD-KILN0001X' WHERE id = ?").run(extra.id);
    expect(await jobsWith("serial=kiln0001")).toEqual([ids.extra]);
    expect(await jobsWith("serial=nothing-like-it")).toEqual([]);
  });

  it("filters by date: whole days, and an exact instant", async () => {
    const all = Object.values(ids).sort((a, b) => a - b);
    expect(await jobsWith(`from=${day(0)}&to=${day(0)}`)).toEqual(all);
    expect(await jobsWith(`to=${day(-1)}`)).toEqual([]);
    expect(await jobsWith(`from=${day(1)}`)).toEqual([]);
    const slow = (await bench.kiln.api("GET", `/api/v1/jobs/${ids.slow}`)).body;
    expect(await jobsWith(`from=${encodeURIComponent(slow.startedAt)}`)).toEqual([ids.slow, ids.restarted]);
    expect(await jobsWith(`to=${encodeURIComponent(slow.startedAt)}`)).toEqual([ids.good, ids.extra, ids.bad]);
  });

  it("refuses malformed filters with 400", async () => {
    for (const q of ["from=yesterday", "to=2024-13-45", "status=bogus", "driveId=x", "limit=0"]) {
      expect((await bench.kiln.api("GET", `/api/v1/jobs?${q}`)).status, q).toBe(400);
    }
  });

  it("lists the same jobs as flat rows (the history page's view) with their drive and host", async () => {
    for (const q of ["", "status=failed", `host=bench-host&status=passed`, "serial=zzz-no-such"]) {
      const full = await bench.kiln.api("GET", `/api/v1/jobs?${q}`);
      const rows = await bench.kiln.api("GET", `/api/v1/jobs?${q}${q ? "&" : ""}view=rows`);
      expect(rows.status).toBe(200);
      expect((rows.body as any[]).map((r) => [r.id, r.status, r.badBlockCount, r.startedAt, r.finishedAt, r.driveId, r.hostId]))
        .toEqual((full.body as any[]).map((j) => [j.id, j.status, j.badBlockCount, j.startedAt, j.finishedAt, j.driveId, j.hostId]));
    }
    const bad = ((await bench.kiln.api("GET", "/api/v1/jobs?view=rows")).body as any[]).find((r) => r.id === ids.bad);
    const drive = await bench.driveFor(bench.bad.device);
    expect(bad).toMatchObject({ host: "bench-host", drive: { devName: drive.devName, serial: drive.serial ?? null, sizeBytes: drive.sizeBytes } });
  });

  it("exports the history as CSV with the right header and one row per job", async () => {
    const res = await fetch(`${bench.kiln.url}/api/v1/history.csv`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="?kiln-history\.csv"?$/);
    const [header, ...rows] = parseCsv(await res.text());
    expect(header).toEqual(["jobId", "batchId", "host", "drive", "model", "serial", "wwn", "sizeBytes", "status", "stages",
      "badBlocks", "createdBy", "createdAt", "startedAt", "finishedAt", "durationSeconds", "errorText"]);
    expect(rows.map((r) => Number(r[0])).sort((a, b) => a - b)).toEqual(Object.values(ids).sort((a, b) => a - b));
    for (const row of rows) {
      expect(row).toHaveLength(header!.length);
      const rec = Object.fromEntries(header!.map((h, i) => [h, row[i]]));
      const snap = (await bench.kiln.api("GET", `/api/v1/jobs/${rec.jobId}`)).body;
      expect(rec).toMatchObject({
        batchId: snap.batchId, host: "bench-host", status: snap.status, badBlocks: String(snap.badBlockCount),
        startedAt: snap.startedAt ?? "", finishedAt: snap.finishedAt ?? "", errorText: snap.errorText ?? "",
      });
    }
    const bad = rows.find((r) => Number(r[0]) === ids.bad)!;
    expect(Number(bad[10])).toBe(bench.bad.badBlocks(4096).length);
    const filtered = await fetch(`${bench.kiln.url}/api/v1/history.csv?status=failed`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    expect(parseCsv(await filtered.text()).slice(1).map((r) => Number(r[0]))).toEqual([ids.bad]);
    expect((await fetch(`${bench.kiln.url}/api/v1/history.csv`)).status).toBe(401);
  });

  it("shows a batch page with every job of the batch and its verdict", async () => {
    const res = await fetch(`${bench.kiln.url}/batches/${batch}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`data-job="${ids.good}" data-status="passed"`);
    expect(html).toContain(`data-job="${ids.extra}" data-status="passed"`);
    expect(html).not.toContain(`data-job="${ids.bad}"`);
    expect(html).toContain("all have ended");
  });
});
