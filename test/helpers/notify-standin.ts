// Starts test/helpers/notify-standin.mjs (the push services' stand-in) as a child process on a fixed
// free port, so a test can take it down and bring it back where Kiln expects it, and reads back the
// requests it answered (kept in a file, so they survive its restarts).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./testhost.js";
import { makeTempDir } from "./tempdir.js";
import { registerCleanup } from "./cleanup.js";

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "notify-standin.mjs");

export interface StandinRequest {
  service: "ntfy" | "gotify" | "discord" | "slack" | "telegram" | "pushover" | "webhook" | "unknown";
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  headers: Record<string, string | undefined>;
  body: any;
  raw: string;
  signatureOk: boolean | null;
  at: number;
}

export interface Standin {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly base: string;
  readonly dir: string;
  requests(): StandinRequest[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
  waitFor(match: (r: StandinRequest) => boolean, count?: number, timeoutMs?: number): Promise<StandinRequest[]>;
}

export async function startStandin(opts: { secret?: string; start?: boolean } = {}): Promise<Standin> {
  const port = await freePort();
  const dir = makeTempDir("standin");
  const log = path.join(dir, "requests.jsonl");
  writeFileSync(log, "");
  let child: ChildProcess | null = null;
  let unregister: (() => void) | null = null;
  const s: Standin = {
    port,
    base: `http://127.0.0.1:${port}`,
    dir,
    requests() {
      if (!existsSync(log)) return [];
      return readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as StandinRequest);
    },
    async start() {
      if (child) return;
      const c = spawn(process.execPath, [SCRIPT], {
        env: { ...process.env, STANDIN_PORT: String(port), STANDIN_LOG: log, STANDIN_SECRET: opts.secret ?? "" },
        stdio: ["ignore", "pipe", "inherit"],
      });
      child = c;
      const pid = c.pid!;
      unregister = registerCleanup(`notify stand-in pid ${pid}`, () => {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      });
      await new Promise<void>((resolve, reject) => {
        let out = "";
        c.stdout!.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes("listening")) resolve();
        });
        c.once("exit", (code) => reject(new Error(`the stand-in exited with ${code} before listening`)));
      });
    },
    async stop() {
      const c = child;
      child = null;
      unregister?.();
      unregister = null;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once("exit", r));
      c.kill("SIGKILL");
      await exited;
    },
    async dispose() {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async waitFor(match, count = 1, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const found = s.requests().filter(match);
        if (found.length >= count) return found;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`expected ${count} matching request(s) within ${timeoutMs} ms; got: ${JSON.stringify(s.requests().map((r) => [r.service, r.path, r.status]))}`);
    },
  };
  if (opts.start !== false) await s.start();
  return s;
}
