// Starts a real Kiln (real SQLite file, real HTTP server on a free loopback port) for a test,
// with a small API client that speaks bearer-token JSON.
import { rmSync } from "node:fs";
import path from "node:path";
import { createLogger } from "../../src/log.js";
import { loadConfig } from "../../src/config.js";
import { startKiln, type Kiln } from "../../src/kiln.js";
import { ensureKilnKey } from "../../src/ssh/keys.js";
import { makeTempDir } from "./tempdir.js";
import { testFetch } from "./http.js";
import { isTerminalJob, waitJob, type JobSnapshot } from "./api.js";

export const TEST_TOKEN = "test-token-0123456789abcdef";

export interface TestKiln {
  kiln: Kiln;
  url: string;
  dataDir: string;
  publicKey: string;
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  waitForJob(id: number, done: (job: JobSnapshot) => boolean, timeoutMs?: number): Promise<JobSnapshot>;
  stop(): Promise<void>;
}

export async function startTestKiln(env: Record<string, string> = {}): Promise<TestKiln> {
  const dataDir = makeTempDir("data");
  // The key exists before Kiln starts so the test host can authorise it first.
  const { publicKey } = ensureKilnKey(dataDir);
  const config = loadConfig({
    KILN_DATA_DIR: dataDir,
    KILN_PORT: "0",
    KILN_API_TOKEN: TEST_TOKEN,
    KILN_GATE_SECONDS: "1",
    KILN_POLL_MS: "300",
    ...env,
  });
  const log = createLogger(process.env.KILN_TEST_LOG ?? "silent");
  const kiln = await startKiln(config, log);
  const api: TestKiln["api"] = async (method, p, body, headers = {}) => {
    const res = await testFetch(kiln.url + p, {
      method,
      headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed };
  };
  return {
    kiln,
    url: kiln.url,
    dataDir,
    publicKey,
    api,
    waitForJob(id, done, timeoutMs = 180_000) {
      return waitJob({ api }, id, done, timeoutMs);
    },
    async stop() {
      await kiln.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export { isTerminalJob };
export { path };
