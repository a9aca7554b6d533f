// The outbox survives a crash: Kiln (a real child process) records a job's message while the SMTP
// server is down, is SIGKILLed before it could send it, and sends it exactly once after a restart.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLoopDevice, startTestSshd, type TestSshd } from "./helpers/testhost.js";
import { kilnProcess, type KilnProcess } from "./helpers/kiln-process.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { startTestSmtp, type TestSmtp } from "./helpers/notify-smtp.js";

let kp: KilnProcess;
let sshd: TestSshd;
let smtp: TestSmtp;
let workDir: string;
let disk: { device: string; detach(): void } | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function outboxRow(key: string): Promise<any> {
  return (await kp.api("GET", "/api/v1/outbox")).body.rows.find((r: any) => r.dedupeKey === key);
}

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
    const host = await kp.api("POST", "/api/v1/hosts", {
      name: "crash-host", address: "127.0.0.1", port: sshd.port, username: "root", workDir, includeLoopDevices: true,
    });
    expect(host.status).toBe(201);
    const drives = (await kp.api("POST", `/api/v1/hosts/${host.body.id}/scan`)).body as any[];
    const d = drives.find((x) => x.devPath === disk!.device);
    const start = await kp.api("POST", "/api/v1/burnin/start", { driveIds: [d.id], confirm: [d.confirmName], stages: ["surface_validate"] });
    expect(start.status).toBe(202);
    const jobId = start.body.jobs[0].id;
    const key = `job-ended:${jobId}`;

    let job: any;
    for (const end = Date.now() + 180_000; Date.now() < end && !["passed", "failed", "cancelled", "unknown"].includes(job?.status); ) {
      await sleep(100);
      job = (await kp.api("GET", `/api/v1/jobs/${jobId}`)).body;
    }
    expect(job.status).toBe("passed");
    let row: any;
    // A failed attempt leaves the row pending with its error (one read mid-attempt shows "sending").
    for (const end = Date.now() + 120_000; Date.now() < end && !(row?.attempts >= 1 && row.status === "pending"); ) {
      await sleep(100);
      row = await outboxRow(key);
    }
    expect(row).toMatchObject({ status: "pending" });
    expect(row.lastError).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET/);

    await kp.kill("SIGKILL");
    await smtp.start();
    expect(smtp.messages).toEqual([]);
    await kp.start();

    const [mail] = await smtp.waitFor((m) => m.text.startsWith(`Burn-in job ${jobId} ended`), 1, 120_000);
    expect(mail!.subject).toMatch(/^\[Kiln\] PASSED: .* on crash-host/);
    expect(mail!.text).toContain(`/api/v1/jobs/${jobId}/report?format=html`);
    await sleep(2000); // a second send would land within this
    expect(smtp.messages).toHaveLength(1);
    const sent = await outboxRow(key);
    expect(sent).toMatchObject({ status: "sent", lastError: null });
    expect(sent.attempts).toBeGreaterThan(row.attempts);
  });
});
