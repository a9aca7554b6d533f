// Retention on a real host (sshd on loopback, real badblocks runs and their job directories): a sweep
// dated far in the future removes the directories of finished jobs only, never anything of a running
// job or of one being resumed, keeps a directory whose bad-block list was not read to its end, and
// thins the samples of finished jobs only; the settings page shows the space used.
import { existsSync, appendFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBench, type TestBench } from "./helpers/finished-jobs.js";
import { TEST_TOKEN } from "./helpers/kiln.js";
import { recordSample } from "../src/jobs/samples.js";
import { installId } from "../src/jobs/run-identity.js";

let bench: TestBench;
let slowId: number;
let badId: number;
let unreadId: number;
const FAR_FUTURE = Date.now() + 400 * 86_400_000;

const db = () => bench.kiln.kiln.db;
const surface = (jobId: number) =>
  db().prepare("SELECT seq, remote_dir AS remoteDir FROM stages WHERE job_id = ? AND name = 'surface_validate'").get(jobId) as { seq: number; remoteDir: string | null };
/** The base name of a job's surface runs on the host: job, stage seq and this install's id. */
const baseName = (jobId: number) => `${jobId}-${surface(jobId).seq}-${installId(db())}`;
const jobDirs = (jobId: number) => readdirSync(path.join(bench.workDir, "jobs")).filter((d) => d === baseName(jobId) || d.startsWith(`${baseName(jobId)}-r`));
const events = (jobId: number, kind: string) => db().prepare("SELECT text FROM job_events WHERE job_id = ? AND kind = ?").pluck().all(jobId, kind) as string[];
const oldSampleCount = (jobId: number) => db().prepare("SELECT count(*) FROM job_samples WHERE job_id = ? AND at < '2021'").pluck().get(jobId) as number;
/** 40 samples a minute apart, from 2020 (far older than any cutoff). */
const oldSamples = (jobId: number) => {
  for (let i = 0; i < 40; i++) recordSample(db(), jobId, { at: new Date(Date.UTC(2020, 0, 1, 10, i)).toISOString(), temperatureC: 30, mbps: 100, percent: i });
};

async function until<T>(what: string, f: () => T | undefined | null | false, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  bench = await startBench({ slow: true, extraDisks: 1 });
  [slowId] = (await bench.start([bench.slow!.device], { stages: ["surface_validate"] })) as [number];
  // Frozen (SIGSTOP) until the test kills it: on a loaded machine the other two jobs may take longer
  // than the slow disk's whole run, and the test needs this one still running.
  const slowBase = path.join(bench.workDir, "jobs", baseName(slowId));
  const slowPgid = Number(await until("the slow job's process group", () => existsSync(`${slowBase}/pid`) && existsSync(`${slowBase}/bb.pid`) && readFileSync(`${slowBase}/pid`, "utf8").trim()));
  process.kill(-slowPgid, "SIGSTOP");
  [badId] = (await bench.start([bench.bad.device], { stages: ["surface_validate"], options: { blocksAtOnce: 16, patterns: ["0xaa"] } })) as [number];
  [unreadId] = (await bench.start([bench.extra[0]!.device], { stages: ["surface_validate"], options: { patterns: ["0xaa"] } })) as [number];
  expect((await bench.waitEnded(badId)).status).toBe("failed");
  expect((await bench.waitEnded(unreadId)).status).toBe("passed");
}, 240_000);

afterAll(async () => {
  await bench?.dispose();
});

describe("retention sweep", () => {
  it("removes only finished jobs' directories and thins only their samples; a job being resumed keeps everything", async () => {
    // The slow job is running: its whole process group dies (as in a power loss), so Kiln resumes it
    // in a new segment directory next to the first.
    const base = path.join(bench.workDir, "jobs", baseName(slowId));
    const pgid = Number(await until("the slow job's process group", () => existsSync(`${base}/pid`) && existsSync(`${base}/bb.pid`) && readFileSync(`${base}/pid`, "utf8").trim()));
    process.kill(-pgid, "SIGKILL");
    // The resume's dir is recorded before its launch: wait for the launch itself (the dir on the host).
    await until("the resume of the slow job", () => events(slowId, "resume").length > 0 && surface(slowId).remoteDir?.includes("-r") && jobDirs(slowId).length === 2);
    expect((await bench.kiln.api("GET", `/api/v1/jobs/${slowId}`)).body.status).toMatch(/^(running|paused)$/);

    // A finished job whose bad-block list on the host is longer than what Kiln stored from it.
    const unreadDir = path.join(bench.workDir, "jobs", baseName(unreadId));
    appendFileSync(`${unreadDir}/badblocks.txt`, "4242\n");
    // A directory no job of this Kiln names (another install's, say).
    const stranger = path.join(bench.workDir, "jobs", "999999-1");
    mkdirSync(stranger, { recursive: true });
    writeFileSync(`${stranger}/progress.log`, "x");

    const badBlocksBefore = db().prepare("SELECT count(*) FROM bad_blocks WHERE job_id = ?").pluck().get(badId) as number;
    expect(badBlocksBefore).toBeGreaterThan(0);
    const slowDirsBefore = jobDirs(slowId);
    expect(slowDirsBefore.length).toBe(2);
    expect(jobDirs(badId).length).toBe(1);

    oldSamples(slowId);
    oldSamples(badId);

    const report = await bench.kiln.kiln.retention.sweep(FAR_FUTURE);

    expect(report.removed).toEqual([badId]);
    expect(report.kept).toEqual([{ jobId: unreadId, why: "unread" }]);
    expect(jobDirs(badId)).toEqual([]);
    expect(events(badId, "host-dirs-removed")).toHaveLength(1);
    expect(jobDirs(slowId)).toEqual(slowDirsBefore);
    expect(existsSync(`${base}/progress.log`)).toBe(true);
    expect(existsSync(`${unreadDir}/badblocks.txt`)).toBe(true);
    expect(existsSync(`${stranger}/progress.log`)).toBe(true);
    // What the database holds of the removed job stays: its bad blocks and its report.
    expect(db().prepare("SELECT count(*) FROM bad_blocks WHERE job_id = ?").pluck().get(badId)).toBe(badBlocksBefore);
    const rep = await bench.kiln.api("GET", `/api/v1/jobs/${badId}/report?format=json`);
    expect(rep.body.badBlocks.count).toBe(badBlocksBefore);

    // Samples: the finished job's are thinned to one per 10 minutes, the running job's all kept.
    expect(oldSampleCount(badId)).toBe(4);
    expect(oldSampleCount(slowId)).toBe(40);
    expect(report.thinned.jobs).toBeGreaterThanOrEqual(2);

    // A second sweep finds nothing new to do for the removed job.
    expect((await bench.kiln.kiln.retention.sweep(FAR_FUTURE)).removed).toEqual([]);

    // The resumed job finishes from its own directories, untouched.
    const slow = await bench.waitEnded(slowId, 240_000);
    expect(slow.status).toBe("passed");
  }, 300_000);

  it("shows the space used on the settings page", async () => {
    const res = await fetch(`${bench.kiln.url}/settings`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toMatch(/<dd data-storage-db>\d+(\.\d)? (kB|MB) \(file /);
    expect(html).toContain("bench-host");
    expect(html).toContain("removed 30 days after the job ended");
  });
});
