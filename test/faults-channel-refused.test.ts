// A host that refuses a session channel (sshd at MaxSessions, or unable to start a session under load):
// the command never ran, so Kiln asks again instead of ending the job `unknown`. Here sshd allows one
// session per connection and Kiln's own connection holds it with a waiting command while a burn-in is
// started: the start call's re-read of the device is refused until that session frees, then the job
// runs to its verdict. (Every exec goes through SshHost.exec, where the refusal is retried: the
// precheck and the launch the same way; test/ssh-connection.test.ts shows the command runs once.)
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLoopDevice, startTestSshd, type LoopDevice, type TestSshd } from "./helpers/testhost.js";
import { isTerminalJob, startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { shQuote } from "../src/shell/quote.js";

let kiln: TestKiln;
let sshd: TestSshd;
let disk: LoopDevice;
let hostId: number;
let free = "";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, pred: () => boolean | Promise<boolean>, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(100);
  }
}

beforeAll(async () => {
  kiln = await startTestKiln();
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey], maxSessions: 1 });
  disk = createLoopDevice({ sizeMiB: 1, name: "refused" });
  const host = await kiln.api("POST", "/api/v1/hosts", {
    name: "one-session", address: "127.0.0.1", port: sshd.port, username: "root", workDir: makeTempDir("work"), includeLoopDevices: true,
  });
  expect(host.status, JSON.stringify(host.body)).toBe(201);
  hostId = host.body.id;
  expect((await kiln.api("POST", `/api/v1/hosts/${hostId}/scan`, { devices: [path.basename(disk.device)] })).status).toBe(200);
});

afterAll(async () => {
  if (free) writeFileSync(free, ""); // the held command ends whatever happened
  await kiln?.stop();
  await sshd?.dispose();
  disk?.detach();
});

describe("a session channel the host refuses to open", () => {
  it("is asked for again until it opens: the burn-in starts once and ends with its real verdict", async () => {
    const dir = makeTempDir("held");
    const held = path.join(dir, "held");
    free = path.join(dir, "free");
    const sshdLog = path.join(sshd.dir, "sshd.log");
    const refusals = () => (readFileSync(sshdLog, "utf8").match(/no more sessions/g) ?? []).length;
    const refusedBefore = refusals();
    // Kiln's own connection holds the host's one session with a command that waits for `free`.
    const holding = kiln.kiln.registry.port(hostId).exec(
      `touch ${shQuote(held)}; while [ ! -e ${shQuote(free)} ]; do sleep 0.1; done`, { timeoutMs: 300_000 },
    );
    holding.catch(() => {}); // awaited below
    await until("the held session's command runs", () => existsSync(held));

    // The start call re-reads the device on the host: sshd refuses that channel until the session frees.
    const drive = ((await kiln.api("GET", "/api/v1/drives")).body as any[]).find((d) => d.devPath === disk.device);
    const starting = kiln.api("POST", "/api/v1/burnin/start", { driveIds: [drive.id], confirm: [drive.confirmName], stages: ["surface_validate"] });
    let answered = false;
    void starting.finally(() => (answered = true));
    await until("sshd refuses a session, or the start call answers", () => answered || refusals() > refusedBefore);
    writeFileSync(free, "");
    await holding;
    const start = await starting;
    expect(start.status, JSON.stringify(start.body)).toBe(202);
    const id = start.body.jobs[0].id as number;

    const ended = await kiln.waitForJob(id, isTerminalJob);
    expect(ended.status, JSON.stringify({ errorText: ended.errorText, notes: ended.notes })).toBe("passed");
    expect(ended.stages.map((s: any) => [s.name, s.status])).toEqual([["precheck", "passed"], ["surface_validate", "passed"]]);
    // One badblocks run: the launch was not repeated into a second process.
    expect(ended.notes.filter((n: any) => n.kind === "launch" && /badblocks started/.test(n.text))).toHaveLength(1);
  }, 240_000);
});
