// Drives over 16 TiB: badblocks counts blocks in 32 bits, so Kiln must pick a larger block size.
// The device is real: nbdkit's null plugin (17 TiB, writes discarded, rate-limited) through nbdfuse
// and a direct-I/O loop device; badblocks is started for real and cancelled once it runs.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSshd, type TestSshd } from "./helpers/testhost.js";
import { attachLoop, detachLoop } from "./helpers/disks.js";
import { serveThroughFuse } from "./helpers/nbd-fuse.js";
import { registerCleanup } from "./helpers/cleanup.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { cancel, hostWithDrives, isTerminalJob, startOne, startRequest, waitJob } from "./helpers/api.js";

const SIZE = 17 * 2 ** 40;
let kiln: TestKiln;
let sshd: TestSshd;
let device = "";
let stop = () => {};

beforeAll(async () => {
  kiln = await startTestKiln();
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey] });
  const served = serveThroughFuse(makeTempDir("huge"), ["--filter=rate", "null", `size=${SIZE}`, "rate=80M"], SIZE);
  device = attachLoop(served.file);
  const teardown = () => {
    detachLoop(device);
    served.stop();
  };
  const unregister = registerCleanup("17 TiB disk", teardown);
  stop = () => {
    teardown();
    unregister();
  };
});

afterAll(async () => {
  await kiln?.stop();
  await sshd?.dispose();
  stop();
});

describe("a 17 TiB drive", () => {
  it("gets a block size whose block count fits 32 bits, and badblocks accepts it", async () => {
    const { drives: [d] } = await hostWithDrives(kiln, sshd, [device], { name: "big", workDir: makeTempDir("work") });
    expect(d!.sizeBytes).toBe(SIZE);

    const tooSmall = await kiln.api<{ error: string }>("POST", "/api/v1/burnin/start", startRequest([d!], { stages: ["surface_validate"], options: { blockSize: 4096 } }));
    expect(tooSmall.status).toBe(400);
    expect(tooSmall.body.error).toMatch(/2\^32/);

    const id = await startOne(kiln, d!, { stages: ["surface_validate"] });
    const running = await waitJob(kiln, id, (j) => (j.surface?.phase ?? 0) >= 1 || isTerminalJob(j), 180_000);
    expect(running.status).toBe("running");
    const cmd = execFileSync("pgrep", ["-af", `^badblocks .*${device}$`], { encoding: "utf8" });
    expect(cmd).toMatch(/ -b 8192 /);
    await cancel(kiln, id);
    const job = await waitJob(kiln, id, undefined, 180_000);
    expect(job.status).toBe("cancelled");
  });
});
