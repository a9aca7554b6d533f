// Kiln as a child process from the build (`node dist/main.js`, what `npm start` runs), so CPU and
// memory figures are the product's own, without the tsx loader the test helper runs it under.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../src/paths.js";
import { ensureKilnKey } from "../src/ssh/keys.js";
import { freePort } from "../test/helpers/testhost.js";
import { makeTempDir } from "../test/helpers/tempdir.js";
import { TEST_TOKEN } from "../test/helpers/kiln.js";
import type { KilnProcess } from "../test/helpers/kiln-process.js";

export async function builtKiln(env: Record<string, string>): Promise<KilnProcess> {
  const main = path.join(ROOT, "dist/main.js");
  if (!existsSync(main)) throw new Error("dist/main.js is missing: run `npm run build` (npm run bench does)");
  const dataDir = makeTempDir("benchkiln");
  const port = await freePort();
  const { publicKey } = ensureKilnKey(dataDir);
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<number | null> = Promise.resolve(null);
  const logFile = path.join(dataDir, "kiln.log");

  const kp: KilnProcess = {
    url, dataDir, publicKey,
    get pid() {
      return child?.pid ?? -1;
    },
    async start() {
      const out = openSync(logFile, "a");
      child = spawn(process.execPath, [main], {
        cwd: ROOT,
        env: { ...process.env, KILN_DATA_DIR: dataDir, KILN_PORT: String(port), KILN_API_TOKEN: TEST_TOKEN, KILN_LOG_LEVEL: "info", ...env },
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
        await new Promise((r) => setTimeout(r, 50));
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
    async api(method, p, body) {
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
    },
    async dispose() {
      await kp.kill("SIGKILL");
    },
  };
  return kp;
}
