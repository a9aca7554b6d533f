// The bench's test host: Debian's sshd on loopback (test/helpers), Kiln as a child process, one
// host registered with includeLoopDevices, and helpers to start burn-ins and watch their SSE events.
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { startTestSshd, type TestSshd } from "../test/helpers/testhost.js";
import { kilnProcess, type KilnProcess } from "../test/helpers/kiln-process.js";
import { makeTempDir } from "../test/helpers/tempdir.js";
import { TEST_TOKEN } from "../test/helpers/kiln.js";
import { openSse, type SseClient } from "../test/helpers/sse.js";
import type { Page } from "playwright-core";
import { signIn as signInAs } from "../test/helpers/browser.js";

export const TERMINAL = ["passed", "failed", "cancelled", "unknown"];

export interface Bench {
  kiln: KilnProcess;
  sshd: TestSshd;
  hostId: number;
  workDir: string;
  sse(): Promise<SseClient>;
  /** Re-scans the host and returns the drive row for each device, in order. */
  drivesFor(devices: string[]): Promise<{ id: number; confirmName: string; devPath: string }[]>;
  start(devices: string[]): Promise<number[]>;
  kilnLog(): string;
  dispose(): Promise<void>;
}

/** The built Kiln with product defaults unless overridden: gate 5 s, poll 1 s (the test helper lowers both). */
export async function startBench(env: Record<string, string> = {}): Promise<Bench> {
  const kiln = await kilnProcess({ KILN_GATE_SECONDS: "5", KILN_POLL_MS: "1000", ...env }, { built: true });
  const sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey] });
  await kiln.start();
  const workDir = makeTempDir("benchwork");
  const host = await kiln.api("POST", "/api/v1/hosts", {
    name: "bench", address: "127.0.0.1", port: sshd.port, username: "root", workDir, includeLoopDevices: true,
  });
  if (host.status !== 201) throw new Error(`adding the host failed: ${JSON.stringify(host.body)}`);
  const hostId = host.body.id as number;
  const b: Bench = {
    kiln, sshd, hostId, workDir,
    sse: () => openSse(`${kiln.url}/api/v1/events`, { authorization: `Bearer ${TEST_TOKEN}` }),
    async drivesFor(devices) {
      const r = await kiln.api("POST", `/api/v1/hosts/${hostId}/scan`);
      if (r.status !== 200) throw new Error(`scan failed: ${JSON.stringify(r.body)}`);
      const all = r.body as any[];
      return devices.map((d) => {
        const row = all.find((x) => x.devPath === d);
        if (!row) throw new Error(`scan did not list ${d}`);
        return row;
      });
    },
    async start(devices) {
      const rows = await b.drivesFor(devices);
      const r = await kiln.api("POST", "/api/v1/burnin/start", {
        driveIds: rows.map((d) => d.id), confirm: rows.map((d) => d.confirmName), stages: ["surface_validate"],
      });
      if (r.status !== 202) throw new Error(`start failed (${r.status}): ${JSON.stringify(r.body)}`);
      return (r.body.jobs as any[]).map((j) => j.id as number);
    },
    kilnLog: () => readFileSync(path.join(kiln.dataDir, "kiln.log"), "utf8"),
    async dispose() {
      await kiln.dispose();
      await sshd.dispose();
      rmSync(workDir, { recursive: true, force: true });
      rmSync(kiln.dataDir, { recursive: true, force: true });
    },
  };
  return b;
}

/** Error-level lines (pino level ≥ 50) and any "database is locked" in Kiln's log. */
export function logProblems(log: string): { errors: string[]; locked: number; warnings: number } {
  const errors: string[] = [];
  let locked = 0;
  let warnings = 0;
  for (const line of log.split("\n")) {
    if (!line.trim()) continue;
    if (/database is locked|SQLITE_BUSY/i.test(line)) locked++;
    try {
      const rec = JSON.parse(line) as { level?: number; msg?: string };
      if ((rec.level ?? 0) >= 50) errors.push(line.slice(0, 300));
      else if (rec.level === 40) warnings++;
    } catch {
      if (/error/i.test(line)) errors.push(line.slice(0, 300));
    }
  }
  return { errors, locked, warnings };
}

/** Signs in as the bootstrap admin (its password is the test token's first 16 characters) and lands on the dashboard. */
export const signIn = (page: Page): Promise<void> => signInAs(page, TEST_TOKEN.slice(0, 16));
