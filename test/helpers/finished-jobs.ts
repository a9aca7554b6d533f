// A real Kiln with the real test host (sshd on loopback, loop devices, a disk with unreadable
// sectors) and a helper that runs burn-ins through the API to their end. Used by the report,
// metrics and audit/history tests; everything is torn down in dispose().
import { rmSync } from "node:fs";
import { createBadDisk, createLoopDevice, createSlowDisk, startTestSshd, type BadDisk, type LoopDevice, type TestSshd } from "./testhost.js";
import { startTestKiln, type TestKiln } from "./kiln.js";
import { driveFor, hostWithDrives, start, waitJob, type DriveView, type JobSnapshot, type StartBody } from "./api.js";
import { makeTempDir } from "./tempdir.js";

export const BAD_RANGE = { startByte: 3 * 1024 * 1024, length: 8192 };

export interface TestBench {
  kiln: TestKiln;
  sshd: TestSshd;
  hostId: number;
  /** The host's work dir (job directories are under its jobs/). */
  workDir: string;
  good: LoopDevice;
  bad: BadDisk;
  extra: LoopDevice[];
  /** A 4 MiB disk read and written at 1 MiB/s, present when asked for: a job that stays running. */
  slow: LoopDevice | null;
  driveFor(device: string): Promise<DriveView>;
  /** Starts one batch through the API; resolves with the job ids in drive order. */
  start(devices: string[], body?: StartBody): Promise<number[]>;
  waitEnded(id: number, timeoutMs?: number): Promise<JobSnapshot>;
  dispose(): Promise<void>;
}

export async function startBench(opts: { extraDisks?: number; slow?: boolean } = {}): Promise<TestBench> {
  const kiln = await startTestKiln();
  const sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey] });
  const workDir = makeTempDir("work");
  const good = createLoopDevice({ sizeMiB: 8 });
  const bad = createBadDisk({ sizeMiB: 8, badRanges: [BAD_RANGE] });
  const extra = Array.from({ length: opts.extraDisks ?? 0 }, () => createLoopDevice({ sizeMiB: 4 }));
  const slow = opts.slow ? createSlowDisk({ sizeMiB: 4, rateBytesPerSec: 1024 * 1024 }) : null;
  const dispose = async () => {
    await kiln.stop();
    await sshd.dispose();
    for (const d of [good, bad, ...extra, ...(slow ? [slow] : [])]) d.detach();
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const disks = [good, bad, ...extra, ...(slow ? [slow] : [])];
    const hostId = (await hostWithDrives(kiln, sshd, disks, { name: "bench-host", workDir })).host.id;
    const drive = (device: string) => driveFor(kiln, device);
    return {
      kiln, sshd, hostId, workDir, good, bad, extra, slow, driveFor: drive, dispose,
      start: async (devices, body = {}) => start(kiln, await Promise.all(devices.map(drive)), body),
      waitEnded: (id, timeoutMs = 120_000) => waitJob(kiln, id, undefined, timeoutMs),
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}
