// E-mail end to end, all real: Kiln in-process, sshd on loopback, burn-ins on loop devices, and an
// SMTP server (smtp-server) that receives what the outbox worker sends, or is down for a while.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLoopDevice, startTestSshd, type TestSshd } from "./helpers/testhost.js";
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { driveFor, hostWithDrives, outbox, outboxRow, start, waitJob, type JobSnapshot } from "./helpers/api.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { sleep, until } from "./helpers/wait.js";
import { startTestSmtp, type ReceivedMail, type TestSmtp } from "./helpers/notify-smtp.js";

let kiln: TestKiln;
let sshd: TestSshd;
let smtp: TestSmtp;
let workDir: string;
const disks: { device: string; detach(): void }[] = [];
async function burnIn(devices: string[]): Promise<JobSnapshot[]> {
  const ds = await Promise.all(devices.map((d) => driveFor(kiln, d)));
  const ids = await start(kiln, ds, { stages: ["surface_validate"] });
  return Promise.all(ids.map((id) => waitJob(kiln, id, undefined, 180_000)));
}

const forJob = (id: number) => (m: ReceivedMail) => m.text.startsWith(`Burn-in job ${id} ended`);

beforeAll(async () => {
  smtp = await startTestSmtp();
  kiln = await startTestKiln({
    KILN_SMTP_URL: smtp.url, KILN_MAIL_FROM: "kiln@example.test", KILN_MAIL_TO: "ops@example.test, lead@example.test",
    KILN_PUBLIC_URL: "http://kiln.example.test:8080", KILN_MAIL_RETRY_SECONDS: "0.2",
  });
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey] });
  workDir = makeTempDir("work");
  disks.push(createLoopDevice({ sizeMiB: 4, name: "a" }), createLoopDevice({ sizeMiB: 4, name: "b" }));
  await hostWithDrives(kiln, sshd, disks, { name: "mail-host", workDir });
});

afterAll(async () => {
  await kiln?.stop();
  await smtp?.stop();
  await sshd?.dispose();
  for (const d of disks) d.detach();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe("e-mail when burn-ins end", () => {
  it("sends exactly one message per finished job, and one for the batch, with the right content", async () => {
    const jobs = await burnIn([disks[0]!.device, disks[1]!.device]);
    expect(jobs.map((j) => j.status)).toEqual(["passed", "passed"]);
    const [mail] = await smtp.waitFor(forJob(jobs[0]!.id));
    await smtp.waitFor(forJob(jobs[1]!.id));
    const [batch] = await smtp.waitFor((m) => m.subject.startsWith("[Kiln] Batch of 2 drives ended"));
    await sleep(1500); // time for a duplicate to show up, if there were one
    expect(smtp.messages).toHaveLength(3);

    const d = await driveFor(kiln, disks[0]!);
    expect(mail!.from).toBe("kiln@example.test");
    expect(mail!.to).toEqual(["ops@example.test", "lead@example.test"]);
    expect(mail!.subject).toMatch(/^\[Kiln\] PASSED: .* on mail-host \(127\.0\.0\.1\)$/);
    expect(mail!.text).toContain(`Drive: ${d.model ?? "unknown model"} (serial ${d.serial ?? "none"}, ${disks[0]!.device})`);
    expect(mail!.text).toContain("Verdict: PASSED");
    expect(mail!.text).toContain("Host: mail-host (127.0.0.1)");
    expect(mail!.text).toContain("Bad blocks: 0");
    expect(mail!.text).toMatch(/Duration: \d+ (s|min)/);
    expect(mail!.text).toContain(`Report: http://kiln.example.test:8080/api/v1/jobs/${jobs[0]!.id}/report?format=html`);
    expect(mail!.html).toContain(`href="http://kiln.example.test:8080/api/v1/jobs/${jobs[0]!.id}/report?format=html"`);
    expect(mail!.headers["message-id"]).toMatch(new RegExp(`^<job-ended-${jobs[0]!.id}\\.\\d+@kiln>$`));
    expect(batch!.text).toContain(`${jobs[0]!.id} | PASSED |`);
    expect(batch!.text).toContain(`${jobs[1]!.id} | PASSED |`);

    const sent = await outbox(kiln);
    expect(sent.enabled).toBe(true);
    expect(sent.rows.map((r) => [r.kind, r.status, r.attempts])).toEqual([
      ["batch-ended", "sent", 1], ["job-ended", "sent", 1], ["job-ended", "sent", 1],
    ]);
  });

  it("keeps the message while the SMTP server is down and sends it once when it is back", async () => {
    smtp.messages.length = 0;
    await smtp.stop();
    const [job] = await burnIn([disks[0]!.device]);
    const key = `job-ended:${job!.id}`;
    // Between attempts, not in one.
    const row = await until(`${key} pending after two attempts`, () => outboxRow(kiln, key), {
      ok: (r) => (r?.attempts ?? 0) >= 2 && r?.status === "pending", timeoutMs: 120_000, everyMs: 100,
    });
    expect(row).toMatchObject({ status: "pending" });
    expect(row!.attempts).toBeGreaterThanOrEqual(2);
    expect(row!.lastError).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET/);
    expect(smtp.messages).toEqual([]);

    await smtp.start();
    await smtp.waitFor(forJob(job!.id));
    await sleep(1500);
    expect(smtp.messages.filter(forJob(job!.id))).toHaveLength(1);
    expect(smtp.messages).toHaveLength(1); // a batch of one sends no batch message
    const after = await outboxRow(kiln, key);
    expect(after).toMatchObject({ status: "sent", lastError: null });
  });

  it("sends a test e-mail through the outbox, for admins only", async () => {
    smtp.messages.length = 0;
    const res = await kiln.api("POST", "/api/v1/notify/test");
    expect(res.status).toBe(202);
    const [mail] = await smtp.waitFor((m) => m.subject === "[Kiln] Test e-mail");
    expect(mail!.text).toContain("Dashboard: http://kiln.example.test:8080");
    const row = (await outbox(kiln)).rows.find((r) => r.id === res.body.id);
    expect(row).toMatchObject({ kind: "test", status: "sent" });
    expect((await fetch(`${kiln.url}/api/v1/outbox`)).status).toBe(401);
    expect((await fetch(`${kiln.url}/api/v1/notify/test`, { method: "POST" })).status).toBe(401);
  });
});
