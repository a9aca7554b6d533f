// The operator's escape hatches against the real stack (Kiln, sshd on loopback, badblocks on slow
// loop devices, headless Chromium): abandon a job whose host went away, through the API and the UI;
// the drive is refused until the host answers and the process is gone; remove hosts through the API
// and the UI. Also: SSH output held in memory is bounded, and a background loop survives an
// unexpected database error (a child-process Kiln whose log we read).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createSlowDisk, startTestSshd, type SlowDisk, type TestSshd } from "./helpers/testhost.js";
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { addHost, cancel, driveFor, hostWithDrives, hosts, isTerminalJob, job as jobNow, startOne, startRequest, waitJob } from "./helpers/api.js";
import { sleep, until } from "./helpers/wait.js";
import { kilnProcess, type KilnProcess } from "./helpers/kiln-process.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { launchBrowser, signIn, screenshot, type TestBrowser } from "./helpers/browser.js";

const PASSWORD = "escape-hatch-password";
let kiln: TestKiln;
let sshd: TestSshd;
let work: string;
let hostId: number;
let spareId: number;
let readdedId: number;
const disks: SlowDisk[] = [];
let browser: TestBrowser;
let page: Page;

/** The start request's answer as it comes (a refusal is what some steps check). */
async function start(device: string) {
  return kiln.api<{ jobs: { id: number }[]; error: string }>("POST", "/api/v1/burnin/start", startRequest([await driveFor(kiln, device)], { stages: ["surface_validate"] }));
}

/** The wrapper's pid (= its process group) of a job's surface run, from the host-side job dir. */
function pgidOf(jobId: number): number {
  const dir = readdirSync(path.join(work, "jobs")).find((d) => d.startsWith(`${jobId}-`))!;
  return Number(readFileSync(path.join(work, "jobs", dir, "pid"), "utf8").trim());
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function killGroup(pgid: number): Promise<void> {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    /* gone */
  }
  await until(`process group ${pgid} to end`, () => groupAlive(pgid), { ok: (alive) => !alive, timeoutMs: 30_000 });
}

/**
 * Starts a burn-in on a drive whose abandoned job's process group may still live: refused (409, with
 * the reason and the group) while the group is alive, accepted once it is gone. The group ends by
 * the test's kill or by Kiln stopping the lost run itself, whichever comes first.
 */
async function startOnceGone(device: string, jobId: number, pgid: number) {
  const first = await start(device);
  if (first.status === 409) {
    expect(first.body.error).toMatch(new RegExp(`abandoned job ${jobId} still runs on far-host \\(process group ${pgid}`));
    await killGroup(pgid);
    const again = await start(device);
    expect(again.status, JSON.stringify(again.body)).toBe(202);
    return again;
  }
  expect(first.status, JSON.stringify(first.body)).toBe(202);
  // Accepted only because the run was already gone: no badblocks of the group, no wrapper. (Not the
  // whole group: the squeezer drains the log for a moment after badblocks ends, and an ended
  // process answers kill(0) until it is reaped; a stress run once saw exactly that.)
  expect(runAliveIn(pgid)).toEqual([]);
  return first;
}

/** The group's live (not zombie) badblocks and its leader, the wrapper (pid = pgid): what Kiln calls a live run. */
function runAliveIn(pgid: number): string[] {
  const live: string[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // ended meanwhile
    }
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) !== pgid || state === "Z") continue;
    if (comm === "badblocks" || Number(pid) === pgid) live.push(`${pid} ${comm} ${state}`);
  }
  return live;
}

const hostStatus = async (id: number) => (await hosts(kiln)).find((h) => h.id === id)?.status;

beforeAll(async () => {
  kiln = await startTestKiln({ KILN_ADMIN_PASSWORD: PASSWORD });
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey] });
  work = makeTempDir("work");
  for (let i = 0; i < 2; i++) disks.push(createSlowDisk({ sizeMiB: 4, rateBytesPerSec: 256 * 1024 }));
  hostId = (await hostWithDrives(kiln, sshd, disks, { name: "far-host", workDir: work })).host.id;
  spareId = (await addHost(kiln, sshd, { name: "spare-host", workDir: work })).id;
  browser = await launchBrowser({ baseURL: kiln.url });
  page = await browser.newPage();
  page.setDefaultTimeout(60_000); // a loaded shared machine; nothing here waits on a clock
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const dir of readdirSync(path.join(work, "jobs"), { withFileTypes: true })) {
    try {
      const pgid = Number(readFileSync(path.join(work, "jobs", dir.name, "pid"), "utf8").trim());
      if (pgid > 1) process.kill(-pgid, "SIGKILL");
    } catch {
      /* not started or gone */
    }
  }
  await kiln?.stop();
  await sshd?.dispose();
  await sleep(500);
  for (const d of disks) d.detach();
});

describe("SSH output in memory", () => {
  it("is bounded: a command that prints too much is stopped, and the connection stays usable", async () => {
    const registry = kiln.kiln.registry;
    await expect(registry.exec(hostId, "head -c 3000000 /dev/zero", { maxOutputBytes: 1_000_000 })).rejects.toThrow(/printed more than 1000000 bytes/);
    await expect(registry.exec(hostId, "head -c 3000000 /dev/zero >&2", { maxOutputBytes: 1_000_000 })).rejects.toThrow(/printed more than/);
    const ok = await registry.exec(hostId, "echo still-here");
    expect(ok.stdout.toString().trim()).toBe("still-here");
  });
});

describe("a job on a host that never comes back", () => {
  let viaApi: number;
  let viaUi: number;

  it("can be abandoned by an admin, through the API and in the browser, once the host is unreachable", async () => {
    const [a, b] = [await start(disks[0]!.device), await start(disks[1]!.device)];
    expect(a.status, JSON.stringify(a.body)).toBe(202);
    expect(b.status, JSON.stringify(b.body)).toBe(202);
    viaApi = a.body.jobs[0]!.id;
    viaUi = b.body.jobs[0]!.id;
    for (const id of [viaApi, viaUi]) await waitJob(kiln, id, (j) => j.status === "running" && (j.surface?.phase ?? 0) >= 1);
    // Frozen (SIGSTOP): both processes stay alive on the host however long a loaded machine takes for
    // the steps below, as the process on a host that never comes back would; killGroup ends them.
    for (const id of [viaApi, viaUi]) process.kill(-pgidOf(id), "SIGSTOP");
    // A reachable host: cancel, not abandon.
    expect((await kiln.api("POST", `/api/v1/jobs/${viaApi}/abandon`)).status).toBe(409);

    await sshd.stop();
    await until("the host to be unreachable", () => hostStatus(hostId), { ok: (s) => s === "unreachable" });
    const abandoned = await kiln.api("POST", `/api/v1/jobs/${viaApi}/abandon`);
    expect(abandoned.status, JSON.stringify(abandoned.body)).toBe(200);
    const jobA = await waitJob(kiln, viaApi, isTerminalJob, 10_000);
    expect(jobA.status).toBe("unknown");
    expect(jobA.errorText).toBe("abandoned by api-token; the process on far-host may still run");
    expect((await kiln.api("POST", `/api/v1/jobs/${viaApi}/abandon`)).status).toBe(409);
    // A host with an active job cannot be removed.
    const busy = await kiln.api("DELETE", `/api/v1/hosts/${hostId}`);
    expect(busy.status).toBe(409);
    expect(busy.body.error).toMatch(/active jobs/);

    // In the browser: the drawer of the other drive offers "Abandon job" (the host does not answer).
    await signIn(page, PASSWORD);
    const devName = disks[1]!.device.replace(/^\/dev\//, "");
    const row = page.locator("tr[data-drive-id]").filter({ has: page.locator('[data-cell="device"] .dev-name', { hasText: new RegExp(`^${devName}$`) }) });
    await row.locator('[data-cell="model"]').click();
    await page.waitForSelector("#drawer.open");
    await page.locator("#abandon-job").waitFor({ state: "visible" });
    await page.click("#abandon-job");
    await page.locator("#act-dialog[open]").waitFor();
    await screenshot(page, "abandon-dialog");
    await page.click("#act-confirm");
    await page.locator("#act-dialog[open]").waitFor({ state: "detached" });
    const jobB = await waitJob(kiln, viaUi, isTerminalJob, 10_000);
    expect(jobB.status).toBe("unknown");
    expect(jobB.errorText).toBe("abandoned by admin; the process on far-host may still run");
    await page.locator("#abandon-job").waitFor({ state: "hidden" });
    expect(browser.errors).toEqual([]);
  }, 300_000);

  it("refuses the drive until the host answers and the process is seen gone", async () => {
    const down = await start(disks[0]!.device);
    expect(down.status).toBe(409);
    expect(down.body.error).toMatch(new RegExp(`job ${viaApi} was abandoned and Kiln cannot yet confirm`));

    await sshd.start();
    const pgid = pgidOf(viaApi);
    // Abandoning never reached the host: the process ran on. Once the host answers, either the test
    // kills it or Kiln's own stop of the lost run gets there first; a start is accepted only once it is gone.
    const again = await startOnceGone(disks[0]!.device, viaApi, pgid);
    const notes = (await jobNow(kiln, viaApi)).notes.map((n) => n.kind);
    expect(notes).toEqual(expect.arrayContaining(["abandoned", "abandoned-gone"]));
    const next = again.body.jobs[0]!.id;
    await waitJob(kiln, next, (j) => j.status === "running");
    await cancel(kiln, next);
    expect((await waitJob(kiln, next, isTerminalJob, 60_000)).status).toBe("cancelled");
  }, 300_000);

  it("removes hosts without active jobs, in the browser and through the API, keeping their history", async () => {
    await page.reload();
    const card = page.locator(`li.host[data-host-id="${spareId}"]`);
    await card.waitFor();
    await card.locator('[data-action="remove-host"]').click();
    await page.locator("#act-dialog[open]").waitFor();
    await page.click("#act-confirm");
    await card.waitFor({ state: "detached" });
    expect((await hosts(kiln)).map((h) => h.id)).not.toContain(spareId);

    const removed = await kiln.api("DELETE", `/api/v1/hosts/${hostId}`);
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect((await kiln.api("GET", "/api/v1/hosts")).body).toEqual([]);
    expect((await kiln.api("GET", "/api/v1/drives")).body).toEqual([]);
    expect((await kiln.api("POST", `/api/v1/hosts/${hostId}/scan`)).status).toBe(404);
    expect((await kiln.api("GET", `/api/v1/jobs/${viaApi}`)).body.status).toBe("unknown");
    // The page drops the card live. Before: a command still failing against the unreachable host
    // after the removal set the removed host's status and published it, and the card came back.
    await page.locator(`li.host[data-host-id="${hostId}"]`).waitFor({ state: "detached" });
    await page.reload();
    await page.locator('#live-status[data-live="live"]').waitFor(); // connects once the first load has drawn the page
    expect(await page.locator(`li.host[data-host-id="${hostId}"]`).count()).toBe(0);
    // The name is free again. Added again, the same disk is a new drive row: the process of the job
    // abandoned on it (still running) keeps it refused all the same.
    readdedId = (await hostWithDrives(kiln, sshd, disks, { name: "far-host", workDir: work })).host.id;
    const fresh = await startOnceGone(disks[1]!.device, viaUi, pgidOf(viaUi));
    expect(fresh.status, JSON.stringify(fresh.body)).toBe(202);
    await waitJob(kiln, fresh.body.jobs[0]!.id, (j) => j.status === "running");
    await cancel(kiln, fresh.body.jobs[0]!.id);
    expect((await waitJob(kiln, fresh.body.jobs[0]!.id, isTerminalJob, 60_000)).status).toBe("cancelled");

    const audit = ((await kiln.api("GET", "/api/v1/audit")).body as any[]).map((e) => `${e.action} ${e.target} ${e.actor}`);
    expect(audit).toEqual(expect.arrayContaining([
      `job.abandon job:${viaApi} api-token`, `job.abandon job:${viaUi} admin`,
      `host.remove host:${spareId} admin`, `host.remove host:${hostId} api-token`,
    ]));
    expect(browser.errors).toEqual([]);
  }, 300_000);

  it("re-pins a changed host key in the browser only with the fingerprint the host shows", async () => {
    const oldFp = sshd.hostKeyFingerprint;
    const newFp = await sshd.rotateHostKey();
    kiln.kiln.registry.drop(readdedId);
    expect((await kiln.api("POST", `/api/v1/hosts/${readdedId}/scan`)).status).toBe(409);
    await page.goto("/");
    const card = page.locator(`li.host[data-host-id="${readdedId}"]`);
    await card.locator('[data-action="repin"]').click();
    await page.locator("#repin-dialog[open]").waitFor();
    await page.fill("#repin-confirm", oldFp);
    await page.click("#repin-submit");
    await page.locator("#repin-dialog [data-repin-error]", { hasText: "nothing was changed" }).waitFor();
    // The refused request is the one console error Chromium reports ("409 (Conflict)"): expected here.
    expect(browser.errors.splice(0)).toEqual([expect.stringMatching(/409/)]);
    const still = (await hosts(kiln)).find((h) => h.id === readdedId);
    expect(still).toMatchObject({ status: "untrusted", hostKeyFingerprint: oldFp });
    await page.fill("#repin-confirm", `256 ${newFp} root@testhost (ED25519)`);
    await page.click("#repin-submit");
    await page.locator("#repin-dialog [data-repin-new]", { hasText: newFp }).waitFor();
    const now = (await hosts(kiln)).find((h) => h.id === readdedId);
    expect(now!.hostKeyFingerprint).toBe(newFp);
    const audit = (await kiln.api("GET", "/api/v1/audit?action=host.repin")).body as any[];
    expect(audit[0]).toMatchObject({ actor: "admin", target: `host:${readdedId}`, detail: { old: oldFp, new: newFp } });
    await page.click("#repin-dialog [data-action=close-dialog]");
    expect(browser.errors).toEqual([]);
  }, 120_000);

  it("lets an admin set another user's password on the settings page", async () => {
    const created = await kiln.api("POST", "/api/v1/users", { username: "olga", password: "olga-first-pw", role: "viewer" });
    expect(created.status).toBe(201);
    await page.goto("/settings");
    await page.selectOption("[data-user-select]", String(created.body.id));
    await page.fill("#user-reset-form input[name=password]", "olga-second-pw");
    await page.click("#user-reset-form button[type=submit]");
    await page.locator("[data-user-reset-result]", { hasText: "Password set" }).waitFor();
    const audit = (await kiln.api("GET", "/api/v1/audit?action=user.password-reset")).body as any[];
    expect(audit[0]).toMatchObject({ actor: "admin", target: `user:${created.body.id}` });
    expect(browser.errors).toEqual([]);
  }, 120_000);
});

describe("a background loop meeting an unexpected database error", () => {
  let child: KilnProcess;
  let disk: SlowDisk;
  afterAll(async () => {
    await child?.dispose();
    disk?.detach();
  });

  it("logs it, retries, and the job still ends by its own verdict", async () => {
    child = await kilnProcess();
    await child.start();
    sshd.authorize(child.publicKey);
    disk = createSlowDisk({ sizeMiB: 2, rateBytesPerSec: 512 * 1024 });
    const { drives: [d] } = await hostWithDrives(child, sshd, [disk], { name: "h", workDir: makeTempDir("work") });
    const id = await startOne(child, d!, { stages: ["surface_validate"] });
    await waitJob(child, id, (j) => (j.surface?.phase ?? 0) >= 1, 120_000);

    // The table progress commits write to disappears under the running Kiln.
    const db = new Database(path.join(child.dataDir, "kiln.db"));
    db.pragma("busy_timeout = 10000");
    db.exec("ALTER TABLE job_log_tail RENAME TO job_log_tail_away");
    const log = () => readFileSync(path.join(child.dataDir, "kiln.log"), "utf8");
    await until("the error in the log", log, { ok: (l) => l.includes("no such table: job_log_tail") });
    db.exec("ALTER TABLE job_log_tail_away RENAME TO job_log_tail");
    db.close();

    const ended = await waitJob(child, id, isTerminalJob, 240_000);
    expect(ended.status).toBe("passed");
    expect((await fetch(`${child.url}/health`)).ok).toBe(true);
    expect(log()).not.toMatch(/unhandled rejection/);
  }, 400_000);
});
