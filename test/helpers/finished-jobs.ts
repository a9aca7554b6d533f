// A real Kiln with the real test host (sshd on loopback, loop devices, a disk with unreadable
// sectors) and a helper that runs burn-ins through the API to their end. Used by the report,
// metrics and audit/history tests; everything is torn down in dispose().
import { rmSync } from "node:fs";
import { createBadDisk, createLoopDevice, createSlowDisk, startTestSshd, type BadDisk, type LoopDevice, type TestSshd } from "./testhost.js";
import { isTerminalJob, startTestKiln, type TestKiln } from "./kiln.js";
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
  driveFor(device: string): Promise<any>;
  /** Starts one batch through the API; resolves with the job ids in drive order. */
  start(devices: string[], body?: Record<string, unknown>): Promise<number[]>;
  waitEnded(id: number, timeoutMs?: number): Promise<any>;
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
    const added = await kiln.api("POST", "/api/v1/hosts", {
      name: "bench-host", address: "127.0.0.1", port: sshd.port, username: "root", workDir, includeLoopDevices: true,
    });
    if (added.status !== 201) throw new Error(`host add: ${added.status} ${JSON.stringify(added.body)}`);
    const hostId = added.body.id as number;
    const scan = await kiln.api("POST", `/api/v1/hosts/${hostId}/scan`);
    if (scan.status !== 200) throw new Error(`scan: ${scan.status} ${JSON.stringify(scan.body)}`);
    const driveFor = async (device: string) => {
      const { body } = await kiln.api("GET", "/api/v1/drives");
      const d = (body as any[]).find((x) => x.devPath === device);
      if (!d) throw new Error(`no drive for ${device}`);
      return d;
    };
    return {
      kiln, sshd, hostId, workDir, good, bad, extra, slow, driveFor, dispose,
      async start(devices, body = {}) {
        const drives = await Promise.all(devices.map(driveFor));
        const res = await kiln.api("POST", "/api/v1/burnin/start", {
          driveIds: drives.map((d) => d.id), confirm: drives.map((d) => d.confirmName), ...body,
        });
        if (res.status !== 202) throw new Error(`start: ${res.status} ${JSON.stringify(res.body)}`);
        return (res.body.jobs as { id: number }[]).map((j) => j.id);
      },
      waitEnded: (id, timeoutMs = 120_000) => kiln.waitForJob(id, isTerminalJob, timeoutMs),
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}
