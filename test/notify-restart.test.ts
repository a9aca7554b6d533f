// The outbox survives a crash: Kiln (a real child process) records a job's message while the SMTP
// server is down, is SIGKILLed before it could send it, and sends it exactly once after a restart.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLoopDevice, startTestSshd, type TestSshd } from "./helpers/testhost.js";
import { kilnProcess, type KilnProcess } from "./helpers/kiln-process.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { hostWithDrives, outboxRow, startOne, waitJob } from "./helpers/api.js";
import { sleep, until } from "./helpers/wait.js";
import { startTestSmtp, type TestSmtp } from "./helpers/notify-smtp.js";

let kp: KilnProcess;
let sshd: TestSshd;
let smtp: TestSmtp;
let workDir: string;
let disk: { device: string; detach(): void } | undefined;

beforeAll(async () => {
  smtp = await startTestSmtp({ start: false }); // down from the start
  kp = await kilnProcess({
    KILN_SMTP_URL: smtp.url, KILN_MAIL_TO: "ops@example.test", KILN_MAIL_RETRY_SECONDS: "0.2", KILN_LOG_LEVEL: "warn",
  });
  sshd = await startTestSshd({ authorizedKeys: [kp.publicKey] });
  workDir = makeTempDir("work");
  disk = createLoopDevice({ sizeMiB: 4 });
  await kp.start();
});

afterAll(async () => {
  await kp?.dispose();
  if (kp) rmSync(kp.dataDir, { recursive: true, force: true });
  await smtp?.stop();
  await sshd?.dispose();
  disk?.detach();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe("the outbox across a Kiln crash", () => {
  it("sends the message of a job that ended before the crash exactly once after the restart", async () => {
    const { drives: [d] } = await hostWithDrives(kp, sshd, [disk!], { name: "crash-host", workDir });
    const jobId = await startOne(kp, d!, { stages: ["surface_validate"] });
    const key = `job-ended:${jobId}`;

    const job = await waitJob(kp, jobId, undefined, 180_000);
    expect(job.status).toBe("passed");
    // A failed attempt leaves the row pending with its error (one read mid-attempt shows "sending").
    const row = await until(`${key} pending after an attempt`, () => outboxRow(kp, key), {
      ok: (r) => (r?.attempts ?? 0) >= 1 && r?.status === "pending", timeoutMs: 120_000, everyMs: 100,
    });
    expect(row).toMatchObject({ status: "pending" });
    expect(row!.lastError).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET/);

    await kp.kill("SIGKILL");
    await smtp.start();
    expect(smtp.messages).toEqual([]);
    await kp.start();

    // Sent when it is next due, which the restart keeps: the backoff of its failed attempts (0.2 s
    // doubling; on a loaded machine more of them fail before the kill), or, when the kill came during
    // an attempt, the end of that attempt's lease (3 min).
    const after = await outboxRow(kp, key);
    const due = after && (after.status === "pending" || after.status === "sending") && after.nextAttemptAt ? Date.parse(after.nextAttemptAt) : 0;
    const dueInMs = Math.max(0, due - Date.now());
    const [mail] = await smtp.waitFor((m) => m.text.startsWith(`Burn-in job ${jobId} ended`), 1, dueInMs + 120_000);
    expect(mail!.subject).toMatch(/^\[Kiln\] PASSED: .* on crash-host/);
    expect(mail!.text).toContain(`/api/v1/jobs/${jobId}/report?format=html`);
    await sleep(2000); // a second send would land within this
    expect(smtp.messages).toHaveLength(1);
    const sent = await outboxRow(kp, key);
    expect(sent).toMatchObject({ status: "sent", lastError: null });
    expect(sent!.attempts).toBeGreaterThan(row!.attempts);
  }, 600_000);
});
