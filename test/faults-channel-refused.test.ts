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
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { driveFor, hostWithDrives, isTerminalJob, startRequest, waitJob } from "./helpers/api.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { until } from "./helpers/wait.js";
import { shQuote } from "../src/shell/quote.js";

let kiln: TestKiln;
let sshd: TestSshd;
let disk: LoopDevice;
let hostId: number;
let free = "";

beforeAll(async () => {
  kiln = await startTestKiln();
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey], maxSessions: 1 });
  disk = createLoopDevice({ sizeMiB: 1, name: "refused" });
  const { host } = await hostWithDrives(kiln, sshd, [disk], { name: "one-session", workDir: makeTempDir("work") });
  hostId = host.id;
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
    const drive = await driveFor(kiln, disk);
    const starting = kiln.api("POST", "/api/v1/burnin/start", startRequest([drive], { stages: ["surface_validate"] }));
    let answered = false;
    void starting.finally(() => (answered = true));
    await until("sshd refuses a session, or the start call answers", () => answered || refusals() > refusedBefore);
    writeFileSync(free, "");
    await holding;
    const start = await starting;
    expect(start.status, JSON.stringify(start.body)).toBe(202);
    const id = (start.body as { jobs: { id: number }[] }).jobs[0]!.id;

    const ended = await waitJob(kiln, id, isTerminalJob);
    expect(ended.status, JSON.stringify({ errorText: ended.errorText, notes: ended.notes })).toBe("passed");
    expect(ended.stages.map((s) => [s.name, s.status])).toEqual([["precheck", "passed"], ["surface_validate", "passed"]]);
    // One badblocks run: the launch was not repeated into a second process.
    expect(ended.notes.filter((n) => n.kind === "launch" && /badblocks started/.test(n.text))).toHaveLength(1);
  }, 240_000);
});
