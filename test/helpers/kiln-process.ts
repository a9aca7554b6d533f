// Kiln as a real child process, for tests that SIGKILL or SIGTERM it (node + tsx on src/main.ts),
// and for benchmarks (`built`: node dist/main.js, what `npm start` runs, without the tsx loader).
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../../src/paths.js";
import { ensureKilnKey } from "../../src/ssh/keys.js";
import { freePort } from "./testhost.js";
import { makeTempDir } from "./tempdir.js";
import { TEST_TOKEN } from "./kiln.js";

export interface KilnProcess {
  url: string;
  dataDir: string;
  publicKey: string;
  readonly pid: number;
  start(): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
  api<T = any>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }>;
  dispose(): Promise<void>;
}

export async function kilnProcess(
  env: Record<string, string> = {},
  opts: { built?: boolean; umask?: string; dataDir?: string } = {},
): Promise<KilnProcess> {
  const main = path.join(ROOT, opts.built ? "dist/main.js" : "src/main.ts");
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` (npm run bench does)`);
  const argv = opts.built ? [main] : ["--import", "tsx", main];
  // Tests use a short gate and poll; a built Kiln keeps the product's defaults unless env says otherwise.
  const timings = opts.built ? {} : { KILN_GATE_SECONDS: "1", KILN_POLL_MS: "300" };
  const dataDir = opts.dataDir ?? makeTempDir(opts.built ? "benchkiln" : "kilnproc");
  const port = await freePort();
  const { publicKey } = ensureKilnKey(dataDir);
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<number | null> = Promise.resolve(null);
  const logFile = path.join(dataDir, "kiln.log");

  const api: KilnProcess["api"] = async (method, p, body) => {
    const res = await fetch(url + p, {
      method,
      headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      return { status: res.status, body: text as any };
    }
  };

  const kp: KilnProcess = {
    url,
    dataDir,
    publicKey,
    get pid() {
      return child?.pid ?? -1;
    },
    async start() {
      const out = openSync(logFile, "a");
      // With a umask: through sh, which sets it and then becomes node.
      const [command, args] = opts.umask === undefined
        ? [process.execPath, argv]
        : ["/bin/sh", ["-c", `umask ${opts.umask} && exec "$0" "$@"`, process.execPath, ...argv]];
      child = spawn(command, args, {
        cwd: ROOT,
        env: {
          ...process.env,
          KILN_DATA_DIR: dataDir,
          KILN_PORT: String(port),
          KILN_API_TOKEN: TEST_TOKEN,
          ...timings,
          KILN_LOG_LEVEL: "info",
          ...env,
        },
        stdio: ["ignore", out, out],
      });
      closeSync(out);
      const c = child;
      exited = new Promise((resolve) => c.once("exit", (code) => resolve(code)));
      const until = Date.now() + 30_000;
      while (Date.now() < until) {
        if (c.exitCode !== null) throw new Error(`Kiln exited with ${c.exitCode} at start; see ${logFile}`);
        try {
          if ((await fetch(`${url}/health`)).ok) return;
        } catch {
          /* not listening yet */
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`Kiln did not answer /health in 30 s; see ${logFile}`);
    },
    async kill(signal) {
      if (!child || child.exitCode !== null) return child?.exitCode ?? null;
      child.kill(signal);
      const code = await exited;
      child = null;
      return code;
    },
    api,
    async dispose() {
      await kp.kill("SIGKILL");
    },
  };
  return kp;
}
