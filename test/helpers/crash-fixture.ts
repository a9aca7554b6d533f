// Fixture program for test/testhost.test.ts: sets up test-host resources, prints where they are,
// then dies by SIGKILL so that no cleanup of its own can run: what a crashed test run leaves behind.
import { readFileSync } from "node:fs";
import { createBadDisk, createMountedExt4, startTestSshd } from "./testhost.js";

const ext4 = createMountedExt4({ sizeMiB: 8 });
const bad = createBadDisk({ sizeMiB: 1, badRanges: [{ startByte: 0, length: 512 }] });
const sshd = await startTestSshd({ authorizedKeys: [] });
const sshdPid = Number(readFileSync(`${sshd.dir}/sshd.pid`, "utf8").trim());
process.stdout.write(`${JSON.stringify({ ext4, bad: bad.device, sshdDir: sshd.dir, sshdPid })}\n`, () => {
  process.kill(process.pid, "SIGKILL");
});
