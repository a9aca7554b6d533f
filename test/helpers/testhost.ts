// The real test host of the suite: Debian's sshd on a free 127.0.0.1 port with its own host key,
// root (and test users, helpers/host-users.ts) logging in by public key only, MaxSessions at its default (10) unless a test
// lowers it. Disk fixtures (loop
// devices, a disk with bad sectors, a slow disk, a mounted ext4) are re-exported from ./disks.js.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { generateUsableKeyPair } from "../../src/ssh/keys.js";
import { mustRun, registerCleanup } from "./cleanup.js";
import { childPids, isRunning, stopProcess } from "./processes.js";
import { makeTempDir } from "./tempdir.js";

export { cleanupAll, registerCleanup } from "./cleanup.js";
export { createBadDisk, createLoopDevice, createMountedExt4, createRegionSlowDisk, createSlowDisk } from "./disks.js";
export type { BadDisk, LoopDevice, MountedExt4, SlowDisk, SlowRange } from "./disks.js";

const SSHD = "/usr/sbin/sshd"; // sshd re-executes itself and insists on an absolute path

export interface TestSshd {
  readonly address: string;
  readonly username: string;
  readonly port: number;
  /** SHA256:… of the current host key, as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint: string;
  readonly dir: string;
  /** Stops the listener and drops every session. */
  stop(): Promise<void>;
  /** Starts again on the same port with the same host key. */
  start(): Promise<void>;
  /** New host key, sshd restarted; resolves with the new fingerprint. */
  rotateHostKey(): Promise<string>;
  /** Kills the per-connection sshd processes: every session drops from the host side. */
  killSessions(): Promise<void>;
  /** Pids of the per-connection sshd processes (one per TCP connection). */
  sessionPids(): number[];
  /** Appends a key to authorized_keys (read by sshd at each login). */
  authorize(publicKey: string): void;
  /** Stops sshd for good and removes its temp dir. */
  dispose(): Promise<void>;
}

/** A fresh client key pair for tests (OpenSSH private key, authorized_keys public line). */
export function makeClientKey(comment = "kiln-test"): { privateKey: string; publicKey: string } {
  return generateUsableKeyPair(comment);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The PATH sshd gives sessions when a test asks for a prefix (the login shell may prepend more). */
const BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function sshdConfig(dir: string, port: number, pathPrefix?: string, maxSessions?: number): string {
  if (pathPrefix !== undefined && !/^\/[A-Za-z0-9._\/-]+$/.test(pathPrefix)) {
    throw new Error(`pathPrefix must be an absolute path of safe characters: ${JSON.stringify(pathPrefix)}`);
  }
  const pathEnv = pathPrefix ? ` PATH=${pathPrefix}:${BASE_PATH}` : "";
  return [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${dir}/ssh_host_ed25519_key`,
    "PermitRootLogin prohibit-password",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UsePAM no",
    "StrictModes no",
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    `PidFile ${dir}/sshd.pid`,
    "UseDNS no",
    "PrintMotd no",
    "PrintLastLog no",
    ...(maxSessions !== undefined ? [`MaxSessions ${Math.floor(maxSessions)}`] : []),
    // root's sessions get a home of this test host's own: root's dotfiles on this machine run
    // `pyenv init`, whose rehash takes a lock, so every exec of every parallel test file queued
    // behind the others' (minutes per exec under load). The test users keep their own homes.
    // sshd applies only the first SetEnv that matches, hence one line per block.
    "Match User root",
    `  SetEnv HOME=${dir}/root-home${pathEnv}`,
    "Match User *,!root",
    ...(pathEnv ? [`  SetEnv ${pathEnv.slice(1)}`] : []),
    "",
  ].join("\n");
}

function generateHostKey(dir: string): string {
  const key = path.join(dir, "ssh_host_ed25519_key");
  rmSync(key, { force: true });
  rmSync(`${key}.pub`, { force: true });
  mustRun("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "kiln-test-host", "-f", key]);
  const line = mustRun("ssh-keygen", ["-lf", `${key}.pub`]);
  const fingerprint = line.split(/\s+/)[1];
  if (!fingerprint?.startsWith("SHA256:")) throw new Error(`unexpected ssh-keygen -lf output: ${line}`);
  return fingerprint;
}

/**
 * Resolves once this sshd listens (its own log says so: another process that happens to hold the
 * port cannot pass for it) and speaks SSH there (reads the "SSH-2.0-" banner).
 */
async function waitForSshd(port: number, child: ChildProcess, logFile: string, logFrom: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const listening = `Server listening on 127.0.0.1 port ${port}.`;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new SshdExited(`sshd exited (${child.exitCode ?? child.signalCode}): ${readFileSync(logFile, "utf8").slice(logFrom)}`);
    }
    const ok = readFileSync(logFile, "utf8").slice(logFrom).includes(listening) && (await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      const done = (value: boolean): void => {
        socket.destroy();
        resolve(value);
      };
      socket.setTimeout(2000, () => done(false));
      socket.once("data", (data) => done(data.toString("latin1").startsWith("SSH-2.0-")));
      socket.once("error", () => done(false));
    }));
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on 127.0.0.1:${port} within ${timeoutMs} ms: ${readFileSync(logFile, "utf8").slice(logFrom)}`);
}

class SshdExited extends Error {}

export interface TestSshdOptions {
  authorizedKeys: string[];
  /** A directory put first on the PATH of every session (e.g. a smartctl stand-in for drive hardware). */
  pathPrefix?: string;
  /** sshd's MaxSessions (session channels per connection; default 10): a lower one makes sshd refuse channels. */
  maxSessions?: number;
}

export async function startTestSshd(opts: TestSshdOptions): Promise<TestSshd> {
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const dir = makeTempDir("sshd");
  chmodSync(dir, 0o755); // non-root test users' logins read authorized_keys as themselves
  mkdirSync(path.join(dir, "root-home"), { mode: 0o700 }); // root's HOME here (see sshdConfig)
  let port = await freePort();
  const configFile = path.join(dir, "sshd_config");
  const logFile = path.join(dir, "sshd.log");
  const keysFile = path.join(dir, "authorized_keys");
  writeFileSync(configFile, sshdConfig(dir, port, opts.pathPrefix, opts.maxSessions));
  writeFileSync(keysFile, opts.authorizedKeys.map((k) => `${k.trim()}\n`).join(""), { mode: 0o644 });
  let fingerprint = generateHostKey(dir);
  let child: ChildProcess | null = null;

  const killAll = (): void => {
    if (!child?.pid) return;
    for (const pid of childPids(child.pid)) stopProcess(pid, 0);
    stopProcess(child.pid);
    child = null;
  };
  const removeAll = (): void => {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  };
  const unregister = registerCleanup(`sshd in ${dir}`, removeAll);

  const host: TestSshd = {
    address: "127.0.0.1",
    username: "root",
    get port() {
      return port;
    },
    dir,
    get hostKeyFingerprint() {
      return fingerprint;
    },
    async start() {
      if (child && isRunning(child.pid ?? -1)) return;
      const log = openSync(logFile, "a");
      const logFrom = statSync(logFile).size;
      child = spawn(SSHD, ["-D", "-e", "-f", configFile], { stdio: ["ignore", log, log] });
      closeSync(log);
      child.unref(); // a forgotten sshd must not keep the test worker alive; the registry stops it
      await waitForSshd(port, child, logFile, logFrom);
    },
    async stop() {
      killAll();
    },
    async rotateHostKey() {
      killAll();
      fingerprint = generateHostKey(dir);
      await host.start();
      return fingerprint;
    },
    async killSessions() {
      if (!child?.pid) return;
      for (const pid of childPids(child.pid)) stopProcess(pid, 0);
    },
    sessionPids() {
      return child?.pid ? childPids(child.pid) : [];
    },
    authorize(publicKey: string) {
      writeFileSync(keysFile, `${publicKey.trim()}\n`, { flag: "a" });
    },
    async dispose() {
      unregister();
      removeAll();
    },
  };
  // The free port may be taken by another process before sshd binds it (suites run side by side):
  // then sshd exits, and it starts again on another port.
  for (let attempt = 1; ; attempt++) {
    try {
      await host.start();
      return host;
    } catch (err) {
      if (err instanceof SshdExited && attempt < 5) {
        port = await freePort();
        writeFileSync(configFile, sshdConfig(dir, port, opts.pathPrefix, opts.maxSessions));
        continue;
      }
      unregister();
      removeAll();
      throw err;
    }
  }
}
