// TrueNAS SCALE as it ships, on the real test host: Kiln logs in as a non-root admin whose login
// shell is zsh and whose sudoers rule allows exactly the README's list with NOPASSWD (smartctl's
// entry points at the smartctl stand-in for drive hardware). The whole burn-in runs as that user:
// scan, SMART stages, a good disk passing, a bad disk failing with its exact blocks, the temperature
// pause, a Kiln SIGKILL with re-attach, and cancel. A user without sudo rights is refused with the
// check's list and nothing runs; a user whose login shell is fish works.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../src/paths.js";
import { SUDO_COMMANDS } from "../src/remote/privilege.js";
import { createBadDisk, createLoopDevice, createSlowDisk, startTestSshd, type BadDisk, type LoopDevice, type SlowDisk, type TestSshd } from "./helpers/testhost.js";
import { createHostUser, type HostUser } from "./helpers/host-users.js";
import { kilnProcess, type KilnProcess } from "./helpers/kiln-process.js";
import { installSmartctlStandIn, smartFixturePath, type SmartctlStandIn } from "./helpers/smartctl-standin.js";
import { addHost as addHostOk, cancel, driveFor, drives, host, hosts, scan, startOne, waitJob as waitFor, type DriveView } from "./helpers/api.js";
import { sleep } from "./helpers/wait.js";
import type { CheckLine } from "../src/hosts/check.js";

let kiln: KilnProcess;
let sshd: TestSshd;
let standIn: SmartctlStandIn;
let admin: HostUser;
let noSudo: HostUser;
let fishAdmin: HostUser;
let good: LoopDevice;
let bad: BadDisk;
let slow: SlowDisk;
let fishDisk: LoopDevice;
let hostId: number;


/** The README's sudo list, as an operator pastes it into TrueNAS. */
function readmeSudoList(): string[] {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const block = /<!-- kiln-sudo-list[^>]*-->\s*```\s*\n\s*([^\n]+)\n/.exec(readme);
  if (!block) throw new Error("README has no kiln-sudo-list block");
  return block[1]!.split(",").map((s) => s.trim());
}

const waitJob = (id: number, done?: Parameters<typeof waitFor>[2], timeoutMs?: number) => waitFor(kiln, id, done, timeoutMs);

function jobDir(user: HostUser, jobId: number): string {
  const jobs = path.join(user.home, ".kiln", "jobs");
  const dir = readdirSync(jobs).find((d) => d.startsWith(`${jobId}-`));
  if (!dir) throw new Error(`no job dir for job ${jobId} in ${jobs}`);
  return path.join(jobs, dir);
}

/** Owner, state and command line of every process in the job's process group (its pid file names it). */
function groupProcesses(dir: string): { uid: number; stat: string; args: string }[] {
  const pg = readFileSync(path.join(dir, "pid"), "utf8").trim();
  const r = spawnSync("ps", ["-o", "uid=,stat=,args=", "-g", pg], { encoding: "utf8" });
  return r.stdout.split("\n").filter(Boolean).map((l) => {
    const [uid = "", stat = "", ...args] = l.trim().split(/\s+/);
    return { uid: Number(uid), stat, args: args.join(" ") };
  });
}

const uidOf = (user: HostUser) => Number(execFileSync("id", ["-u", user.name], { encoding: "utf8" }).trim());
const statusById = (checks: CheckLine[]) => Object.fromEntries(checks.map((c) => [c.id, c.status]));

/** Adds the host as `user` (201 expected). */
const addHost = (name: string, user: HostUser) => addHostOk(kiln, sshd, { name, username: user.name });

/**
 * The drive for `device` on `host`, from its last scan (`scan`: scan first). Scans name only this
 * file's devices: a shared machine may hold hundreds of other suites' loop devices.
 */
async function driveOn(hostId: number, device: string, scanFirst = false): Promise<DriveView> {
  const only = [good, bad, slow, fishDisk].map((d) => path.basename(d.device));
  const list = scanFirst ? await scan(kiln, hostId, only) : (await drives(kiln)).filter((x) => x.hostId === hostId);
  return driveFor(kiln, device, list);
}

beforeAll(async () => {
  kiln = await kilnProcess({ KILN_TEMP_SAMPLE_SECONDS: "1" });
  standIn = installSmartctlStandIn();
  chmodSync(standIn.dir, 0o755); // the login user finds smartctl on its PATH; sudo runs it as root
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey], pathPrefix: standIn.binDir });
  const list = readmeSudoList().map((p) => (p === "/usr/sbin/smartctl" ? path.join(standIn.binDir, "smartctl") : p));
  admin = createHostUser({ shell: "/usr/bin/zsh", sudoCommands: list });
  noSudo = createHostUser({ shell: "/usr/bin/zsh" });
  fishAdmin = createHostUser({ shell: "/usr/bin/fish", sudoCommands: list });
  good = createLoopDevice({ sizeMiB: 4 });
  bad = createBadDisk({ sizeMiB: 4, badRanges: [{ startByte: 2 * 1024 * 1024, length: 8192 }] });
  slow = createSlowDisk({ sizeMiB: 4, rateBytesPerSec: 1024 * 1024 });
  fishDisk = createLoopDevice({ sizeMiB: 4 });
  standIn.set(good.device, { fixture: smartFixturePath("nvme-healthy"), serial: "KILN-SUDO-GOOD", temperatureC: 35, shortSeconds: 1, longSeconds: 2 });
  standIn.set(slow.device, { fixture: smartFixturePath("nvme-healthy"), serial: "KILN-SUDO-WARM", temperatureC: 40 });
  await kiln.start();
}, 120_000);

afterAll(async () => {
  await kiln?.dispose();
  await sshd?.dispose();
  for (const d of [good, bad, slow, fishDisk]) d?.detach();
  for (const u of [admin, noSudo, fishAdmin]) u?.dispose();
  standIn?.dispose();
});

describe("a sudo admin with zsh, as on TrueNAS SCALE", () => {
  it("the README's list is Kiln's list of privileged commands", () => {
    expect(readmeSudoList()).toEqual(SUDO_COMMANDS.map((c) => c.path));
  });

  it("refuses a user without sudo rights with the check's list, and nothing runs or is written", async () => {
    const res = await kiln.api("POST", "/api/v1/hosts", { name: "no-sudo", address: "127.0.0.1", port: sshd.port, username: noSudo.name, includeLoopDevices: true });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatch(/cannot run a burn-in/);
    const byId = statusById(res.body.checks);
    expect(byId).toMatchObject({
      os: "ok", rights: "ok", "tool.badblocks": "fail", "tool.smartctl": "fail", "tool.blkid": "fail",
      "tool.wipefs": "fail", "tool.kill": "fail", sudo: "fail", tools: "ok", workdir: "ok",
    });
    const sudoLine = res.body.checks.find((c: any) => c.id === "sudo");
    expect(sudoLine.detail).toBe("sudo -n refused 5 of Kiln's 5 commands");
    expect(sudoLine.fix).toContain(`${noSudo.name} ALL=(root) NOPASSWD: /usr/sbin/badblocks, `);
    const bb = res.body.checks.find((c: any) => c.id === "tool.badblocks");
    expect(bb.detail).toMatch(/^\/usr\/sbin\/badblocks does not run via sudo -n \(sudo: a password is required\)$/);
    for (const c of res.body.checks) if (c.status !== "ok") expect(c.fix, c.id).toBeTruthy();
    expect((await hosts(kiln)).map((h) => h.name)).not.toContain("no-sudo");
    expect(existsSync(path.join(noSudo.home, ".kiln"))).toBe(false);
  });

  it("adds the zsh admin: sudo detected, every line of the check ok", async () => {
    const added = await addHost("scale", admin);
    hostId = added.id;
    expect(added.useSudo).toBe(true);
    const byId = statusById(added.checks);
    expect(byId).toEqual({
      os: "ok", rights: "ok", "tool.badblocks": "ok", "tool.smartctl": "ok", "tool.blkid": "ok", "tool.wipefs": "ok",
      "tool.kill": "ok", sudo: "ok", tools: "ok", workdir: "ok", "workdir.fs": "ok", "workdir.free": "ok", sshd: "ok", sessions: "ok",
    });
    const line = (id: string) => added.checks.find((c) => c.id === id)!.detail;
    expect(line("rights")).toMatch(new RegExp(`^logs in as ${admin.name}; privileged commands run through sudo -n \\(sudo \\d`));
    expect(line("tool.badblocks")).toMatch(/^e2fsprogs \d[\d.]*, \/usr\/sbin\/badblocks: runs via sudo -n$/);
    expect(line("tool.smartctl")).toBe(`smartctl 7.3, ${standIn.binDir}/smartctl: runs via sudo -n`);
    expect(line("sudo")).toBe("all 5 of Kiln's commands run with sudo -n");
    expect(line("workdir")).toBe(`${admin.home}/.kiln will be created (in ${admin.home}, writable)`);
  });

  it("scans through sudo: signatures probed, SMART read through the stand-in", async () => {
    const d = await driveOn(hostId, good.device, true);
    expect(d.inUse).toBeNull(); // blkid or wipefs answered: otherwise "could not probe for signatures"
    expect(d.smartAvailable).toBe(true);
    expect(standIn.calls(good.device).some((c) => c.action === "read")).toBe(true);
  }, 300_000);

  it("burns in: the good disk passes every stage, the bad disk fails with its exact blocks", async () => {
    const g = await driveOn(hostId, good.device);
    const b = await driveOn(hostId, bad.device);
    const goodId = await startOne(kiln, g);
    const badId = await startOne(kiln, b, { stages: ["precheck", "surface_validate"] });
    const [goodJob, badJob] = await Promise.all([waitJob(goodId), waitJob(badId)]);
    expect(goodJob.status, JSON.stringify(goodJob)).toBe("passed");
    expect(goodJob.stages.map((s) => [s.name, s.status])).toEqual([
      ["precheck", "passed"], ["smart_short", "passed"], ["surface_validate", "passed"], ["smart_long", "passed"], ["final_check", "passed"],
    ]);
    expect(standIn.calls(good.device).filter((c) => c.action === "start").map((c) => c.kind)).toEqual(["short", "long"]);
    expect(badJob.status).toBe("failed");
    expect(badJob.badBlocks).toEqual(bad.badBlocks(4096));
    // badblocks ran as root, yet every file of the job belongs to the login user and it can read them.
    const uid = uidOf(admin);
    const dir = jobDir(admin, badJob.id);
    for (const f of ["badblocks.txt", "progress.log", "stdout.txt", "exit", "pid", "bb.pid"]) {
      expect(statSync(path.join(dir, f)).uid, f).toBe(uid);
    }
    const asUser = spawnSync("su", ["-s", "/bin/sh", admin.name, "-c", `cat '${dir}/badblocks.txt'`], { encoding: "utf8" });
    expect(asUser.status).toBe(0);
    expect(asUser.stdout.trim().split("\n").map(Number)).toEqual(bad.badBlocks(4096));
  }, 300_000);

  it("pauses at 56 °C, survives a Kiln SIGKILL with re-attach, resumes, and cancels the root badblocks", async () => {
    const d = await driveOn(hostId, slow.device);
    const id = await startOne(kiln, d, { stages: ["surface_validate"] });
    await waitJob(id, (j) => (j.surface?.phase ?? 0) >= 1);
    const dir = jobDir(admin, id);
    const procs = groupProcesses(dir);
    expect(procs.some((p) => p.uid === 0 && /^\/usr\/sbin\/badblocks -w .* \/dev\//.test(p.args)), JSON.stringify(procs)).toBe(true);
    expect(procs.some((p) => p.uid === uidOf(admin) && p.args === `sh ${dir}/run.sh`), JSON.stringify(procs)).toBe(true);

    standIn.update(slow.device, { temperatureC: 56 });
    await waitJob(id, (j) => j.status === "paused", 60_000);
    await sleep(500);
    expect(groupProcesses(dir).every((p) => p.stat.startsWith("T"))).toBe(true);

    await kiln.kill("SIGKILL");
    await kiln.start();
    await waitJob(id, (j) => j.notes.some((n) => n.kind === "reattach"), 60_000);
    expect(groupProcesses(dir).every((p) => p.stat.startsWith("T"))).toBe(true);

    standIn.update(slow.device, { temperatureC: 45 });
    await waitJob(id, (j) => j.status === "running", 60_000);
    expect(groupProcesses(dir).some((p) => p.stat.startsWith("T"))).toBe(false);

    await cancel(kiln, id);
    const done = await waitJob(id, undefined, 120_000);
    expect(done.status).toBe("cancelled");
    // Nothing of the job lives on (this container's init leaves the reparented wrapper a zombie).
    expect(groupProcesses(dir).filter((p) => !p.stat.startsWith("Z"))).toEqual([]);
  }, 300_000);

  it("checks the host on demand and keeps the result", async () => {
    const res = await kiln.api("POST", `/api/v1/hosts/${hostId}/check`);
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(res.body.useSudo).toBe(true);
    expect(res.body.checks.every((c: any) => c.status === "ok")).toBe(true);
    expect(res.body.checks.find((c: any) => c.id === "workdir").detail).toBe(`${admin.home}/.kiln is writable`);
    const kept = await host(kiln, hostId);
    expect(kept.useSudo).toBe(true);
    expect(kept.check!.lines).toEqual(res.body.checks);

    // Checked without sudo, the admin cannot open disks: the check says so and the host keeps sudo.
    const without = await kiln.api("POST", `/api/v1/hosts/${hostId}/check`, { useSudo: false });
    expect(without.body.ok).toBe(false);
    expect(without.body.checks.find((c: any) => c.id === "rights")).toMatchObject({
      status: "fail", detail: `logs in as ${admin.name} (uid ${uidOf(admin)}) without sudo: badblocks and smartctl cannot open disks`,
    });
    expect((await host(kiln, hostId)).useSudo).toBe(true);
  });
});

describe("a sudo admin with fish as login shell", () => {
  it("adds, scans and burns in a disk", async () => {
    const added = await addHost("fishy", fishAdmin);
    expect(added.checks.every((c) => c.status === "ok")).toBe(true);
    const d = await driveOn(added.id, fishDisk.device, true);
    expect(d.inUse).toBeNull();
    const job = await waitJob(await startOne(kiln, d, { stages: ["precheck", "surface_validate"] }));
    expect(job.status, JSON.stringify(job)).toBe("passed");
    expect(statSync(path.join(jobDir(fishAdmin, job.id), "badblocks.txt")).uid).toBe(uidOf(fishAdmin));
  }, 300_000);
});
