// Kiln as a real process at start: secrets at rest keep their modes under any umask, a pid marker
// that names another program (pid reuse after a reboot) does not stop it while a real second Kiln
// does, and a foreign write lock held through startup is waited out instead of ending the process.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kilnProcess, type KilnProcess } from "./helpers/kiln-process.js";
import { ROOT } from "../src/paths.js";

const started: KilnProcess[] = [];
const others: ChildProcess[] = [];

async function kiln(env: Record<string, string> = {}, opts: Parameters<typeof kilnProcess>[1] = {}): Promise<KilnProcess> {
  const k = await kilnProcess(env, opts);
  started.push(k);
  return k;
}

function other(command: string, args: string[], opts: { stdin?: boolean } = {}): ChildProcess {
  const child = spawn(command, args, { cwd: ROOT, stdio: [opts.stdin ? "pipe" : "ignore", "pipe", "inherit"] });
  others.push(child);
  return child;
}

const modeOf = (p: string) => (statSync(p).mode & 0o777).toString(8);
const logOf = (k: KilnProcess) => readFileSync(path.join(k.dataDir, "kiln.log"), "utf8");

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

afterAll(async () => {
  for (const k of started) await k.dispose();
  for (const c of others) if (c.exitCode === null) c.kill("SIGKILL");
});

describe("secrets at rest", () => {
  it("keeps the data dir 0700 and the database, its WAL, the key and the pid marker 0600 under umask 000", async () => {
    const k = await kiln({}, { umask: "000" });
    rmSync(path.join(k.dataDir, "ssh"), { recursive: true, force: true }); // Kiln makes its own key
    chmodSync(k.dataDir, 0o777);
    await k.start();
    const files = ["kiln.db", "kiln.db-wal", "kiln.db-shm", "kiln.pid", "ssh/id_ed25519"];
    expect(modeOf(k.dataDir)).toBe("700");
    expect(modeOf(path.join(k.dataDir, "ssh"))).toBe("700");
    for (const f of files) expect(`${f} ${modeOf(path.join(k.dataDir, f))}`).toBe(`${f} 600`);
    // Files an older Kiln (or a copy) left readable are tightened at the next start.
    await k.kill("SIGTERM");
    chmodSync(path.join(k.dataDir, "kiln.db"), 0o644);
    chmodSync(k.dataDir, 0o755);
    await k.start();
    expect(modeOf(k.dataDir)).toBe("700");
    expect(modeOf(path.join(k.dataDir, "kiln.db"))).toBe("600");
  }, 90_000);
});

describe("the pid marker", () => {
  it("does not stop Kiln when its pid now belongs to another program, and stops a second Kiln", async () => {
    const k = await kiln();
    // pid reuse after a reboot: the marker names a live process of another program (sleep)...
    const sleeper = other("sleep", ["600"]);
    writeFileSync(path.join(k.dataDir, "kiln.pid"), `${sleeper.pid} 2026-01-01T00:00:00.000Z\n`);
    await k.start();
    const system = await k.api("GET", "/api/v1/system");
    expect(system.body.crash).toMatchObject({ previousPid: sleeper.pid });
    expect(sleeper.exitCode).toBeNull();
    await k.kill("SIGTERM");
    expect(existsSync(path.join(k.dataDir, "kiln.pid"))).toBe(false);

    // ...or a node process that is not the Kiln the marker recorded (another start time).
    const node = other(process.execPath, ["-e", "setTimeout(() => {}, 600000)"]);
    const bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    writeFileSync(path.join(k.dataDir, "kiln.pid"), `${node.pid} 2026-01-01T00:00:00.000Z ${bootId} 1\n`);
    await k.start();
    expect((await k.api("GET", "/api/v1/system")).body.crash).toMatchObject({ previousPid: node.pid });

    // A second Kiln on the same data dir is refused while the first one runs.
    const twin = await kiln({}, { dataDir: k.dataDir });
    await expect(twin.start()).rejects.toThrow(/exited/);
    expect(logOf(k)).toContain(`another Kiln (pid ${k.pid}) uses ${k.dataDir}`);
    expect((await fetch(`${k.url}/health`)).ok).toBe(true);
  }, 120_000);
});

describe("a busy database at startup", () => {
  it("waits for a foreign write lock held through startup, then starts", async () => {
    const k = await kiln();
    await k.start();
    const crashedPid = k.pid;
    await k.kill("SIGKILL"); // leaves the marker: the next start records the crash (a write)
    const holder = other(process.execPath, ["-e", `
      const Database = require("better-sqlite3");
      const db = new Database(process.argv[1]);
      db.exec("BEGIN IMMEDIATE");
      db.prepare("INSERT INTO settings (key, value) VALUES ('lock-test', '1') ON CONFLICT(key) DO UPDATE SET value = '1'").run();
      process.stdout.write("locked\\n");
      process.stdin.once("data", () => { db.exec("COMMIT"); process.stdout.write("released\\n"); process.exit(0); });
    `, path.join(k.dataDir, "kiln.db")], { stdin: true });
    let said = "";
    holder.stdout!.on("data", (c: Buffer) => (said += c.toString()));
    await until("the lock", () => said.includes("locked"));

    const starting = k.start();
    starting.catch(() => {}); // awaited below
    await until("Kiln to meet the lock", () => logOf(k).includes("database busy at startup"));
    expect((await fetch(`${k.url}/health`).catch(() => null))?.ok ?? false).toBe(false); // not up yet, but alive
    holder.stdin!.write("go\n");
    await starting;
    expect((await k.api("GET", "/api/v1/system")).body.crash).toMatchObject({ previousPid: crashedPid });
    expect(said).toContain("released");
  }, 120_000);
});
