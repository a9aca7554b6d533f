// Kiln as a real child process (node dist/main.js, what `npm start` runs), for tests that SIGKILL
// or SIGTERM it, and for benchmarks. dist/ is built when the sources changed (helpers/build.ts);
// tests get a short gate and poll, a benchmark (`built`) keeps the product's defaults.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, statSync } from "node:fs";
import { ensureBuilt } from "./build.js";
import { registerCleanup } from "./cleanup.js";
import path from "node:path";
import { ROOT } from "../../src/paths.js";
import { ensureKilnKey } from "../../src/ssh/keys.js";
import { freePort } from "./testhost.js";
import { makeTempDir } from "./tempdir.js";
import { testFetch } from "./http.js";
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
  if (!opts.built) ensureBuilt(); // a benchmark's `npm run bench` has just built it
  const main = path.join(ROOT, "dist/main.js");
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` (npm run bench does)`);
  // As `npm start` and the Dockerfile run it (memory settings: BENCHMARKS.md section 5).
  const argv = ["--max-semi-space-size=4", main];
  // Tests use a short gate and poll; a built Kiln keeps the product's defaults unless env says otherwise.
  const timings = opts.built ? {} : { KILN_GATE_SECONDS: "1", KILN_POLL_MS: "300" };
  const dataDir = opts.dataDir ?? makeTempDir(opts.built ? "benchkiln" : "kilnproc");
  let port = await freePort();
  const { publicKey } = ensureKilnKey(dataDir);
  const urlOf = () => `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<number | null> = Promise.resolve(null);
  const logFile = path.join(dataDir, "kiln.log");

  const api: KilnProcess["api"] = async (method, p, body) => {
    const res = await testFetch(urlOf() + p, {
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

  // A Kiln left running by a worker that died is also found by the sweep (its KILN_DATA_DIR).
  const unregister = registerCleanup(`Kiln process in ${dataDir}`, () => {
    if (child?.pid && child.exitCode === null) child.kill("SIGKILL");
  });
  const startOnce = async (): Promise<"started" | "port-taken"> => {
    const out = openSync(logFile, "a");
    const logFrom = statSync(logFile).size;
    // With a umask: through sh, which sets it and then becomes node.
    const [command, args] = opts.umask === undefined
      ? [process.execPath, argv]
      : ["/bin/sh", ["-c", `umask ${opts.umask} && exec "$0" "$@"`, process.execPath, ...argv]];
    child = spawn(command, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        MALLOC_ARENA_MAX: "2",
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
    // Generous: a loaded machine may take many seconds to start a node process.
    const until = Date.now() + 120_000;
    while (Date.now() < until) {
      if (c.exitCode !== null) {
        if (readFileSync(logFile, "utf8").slice(logFrom).includes("EADDRINUSE")) return "port-taken";
        throw new Error(`Kiln exited with ${c.exitCode} at start; see ${logFile}`);
      }
      try {
        if ((await fetch(`${urlOf()}/health`)).ok) return "started";
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Kiln did not answer /health in 120 s; see ${logFile}`);
  };

  const kp: KilnProcess = {
    get url() {
      return urlOf();
    },
    dataDir,
    publicKey,
    get pid() {
      return child?.pid ?? -1;
    },
    async start() {
      // The free port may be taken by another process before Kiln binds it (suites run side by side).
      for (let attempt = 1; (await startOnce()) === "port-taken"; attempt++) {
        if (attempt >= 5) throw new Error(`Kiln found its port taken ${attempt} times; see ${logFile}`);
        port = await freePort();
      }
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
      unregister();
    },
  };
  return kp;
}
