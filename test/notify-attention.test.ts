// Attention e-mails, against a real SMTP server process: a host unreachable for longer than
// KILN_ALERT_UNREACHABLE_MINUTES gives one message per outage.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSshd, type TestSshd } from "./helpers/testhost.js";
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { startTestSmtp, type TestSmtp } from "./helpers/notify-smtp.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { addHost } from "./helpers/api.js";
import { sleep } from "./helpers/wait.js";

let kiln: TestKiln;
let sshd: TestSshd;
let smtp: TestSmtp;

beforeAll(async () => {
  smtp = await startTestSmtp();
  kiln = await startTestKiln({
    KILN_SMTP_URL: smtp.url, KILN_MAIL_FROM: "kiln@example.test", KILN_MAIL_TO: "ops@example.test",
    KILN_MAIL_RETRY_SECONDS: "0.2", KILN_ALERT_UNREACHABLE_MINUTES: "0.05",
  });
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey] });
});

afterAll(async () => {
  await kiln?.stop();
  await sshd?.dispose();
  await smtp?.stop();
});

describe("attention e-mail", () => {
  it("tells the operator once when a host stays unreachable", async () => {
    const host = await addHost(kiln, sshd, { name: "far-away", workDir: makeTempDir("work"), includeLoopDevices: false });
    await sshd.stop();
    const scan = await kiln.api("POST", `/api/v1/hosts/${host.id}/scan`);
    expect(scan.status).toBe(502);
    const [mail] = await smtp.waitFor((m) => /far-away/.test(m.subject + m.text), 1, 120_000);
    expect(mail!.text).toMatch(/unreachable/);
    await sleep(3000); // time for a duplicate to show up, if there were one
    expect(smtp.messages.filter((m) => /far-away/.test(m.subject + m.text))).toHaveLength(1);
    await sshd.start();
  }, 240_000);
});
