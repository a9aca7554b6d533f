// SshHost against Debian's real sshd on loopback (test/helpers/testhost.ts); ssh2 is never mocked.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import ssh2 from "ssh2";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SshHost, type SshHostOptions } from "../src/ssh/connection.js";
import { fingerprintOfPublicKeyLine } from "../src/ssh/fingerprint.js";
import { ensureKilnKey, generateUsableKeyPair } from "../src/ssh/keys.js";
import { HostError } from "../src/ssh/port.js";
import { AbortedWait, Semaphore } from "../src/ssh/semaphore.js";
import { mustRun } from "./helpers/cleanup.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { cleanupAll, freePort, makeClientKey, startTestSshd, type TestSshd } from "./helpers/testhost.js";

const key = makeClientKey();
let sshd: TestSshd;
const hosts: SshHost[] = [];

function host(overrides: Partial<SshHostOptions> = {}): SshHost {
  const h = new SshHost({
    address: "127.0.0.1",
    port: sshd.port,
    username: "root",
    privateKey: key.privateKey,
    pinnedFingerprint: null,
    ...overrides,
  });
  hosts.push(h);
  return h;
}

async function rejection(promise: Promise<unknown>): Promise<HostError> {
  const err = await promise.then(
    () => new Error("expected a rejection"),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HostError);
  return err as HostError;
}

/** The client's source port as sshd sees it: one value per TCP connection. */
async function clientPort(h: SshHost): Promise<string> {
  const r = await h.exec('echo "$SSH_CONNECTION"');
  return r.stdout.toString().split(" ")[1] ?? "";
}

async function until(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  sshd = await startTestSshd({ authorizedKeys: [key.publicKey] });
});

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});

afterAll(() => {
  cleanupAll();
});

describe("SshHost exec", () => {
  it("returns stdout, stderr and the exit code of a command", async () => {
    const r = await host().exec("printf 'out\\n'; printf 'err\\n' >&2; exit 3");
    expect(r.stdout.toString()).toBe("out\n");
    expect(r.stderr.toString()).toBe("err\n");
    expect(r.code).toBe(3);
    expect(r.signal).toBeNull();
  });

  it("passes every byte value through stdin and stdout unchanged", async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const payload = Buffer.concat(Array.from({ length: 1024 }, () => all)); // 256 KiB, several windows
    const r = await host().exec("cat", { stdin: payload });
    expect(r.code).toBe(0);
    expect(r.stdout.equals(payload)).toBe(true);
  });

  it("reports a command killed by a signal with a null code and the signal name", async () => {
    const r = await host().exec("kill -TERM $$");
    expect(r.code).toBeNull();
    expect(r.signal).toBe("SIGTERM");
  });

  it("rejects a command that outlives its timeout and keeps the connection usable", async () => {
    const h = host();
    await h.exec("true"); // connected: the timeout below covers the command only
    // The command waits for a file the test creates: it cannot end before the test says so, however
    // slow the machine, and it leaves a mark when it does.
    const go = path.join(sshd.dir, `go-${Date.now()}`);
    const mark = `${go}.ended`;
    const err = await rejection(h.exec(`while [ ! -e ${go} ]; do sleep 0.1; done; touch ${mark}`, { timeoutMs: 300 }));
    expect(err.kind).toBe("timeout");
    expect(existsSync(mark)).toBe(false);
    // sshd holds a session until its command ends (it refuses signals to root sessions), so the slot stays taken
    expect(h.openChannels).toBe(1);
    expect((await h.exec("echo still here")).stdout.toString()).toBe("still here\n");
    writeFileSync(go, "");
    await until(() => h.openChannels === 0);
  });
});

describe("SshHost host key", () => {
  it("records the fingerprint ssh-keygen shows for the host key", async () => {
    const h = host();
    expect(await h.connect()).toBe(sshd.hostKeyFingerprint);
    expect(h.hostFingerprint).toBe(sshd.hostKeyFingerprint);
  });

  it("probe returns the fingerprint and leaves no connection open", async () => {
    const { fingerprint } = await SshHost.probe({
      address: "127.0.0.1",
      port: sshd.port,
      username: "root",
      privateKey: key.privateKey,
      pinnedFingerprint: null,
    });
    expect(fingerprint).toBe(sshd.hostKeyFingerprint);
    await until(() => sshd.sessionPids().length === 0);
  });

  it("refuses a host whose key no longer matches the pin and runs nothing there", async () => {
    const pinned = sshd.hostKeyFingerprint;
    const rotated = await sshd.rotateHostKey();
    expect(rotated).not.toBe(pinned);
    const marker = path.join(sshd.dir, "must-not-exist");
    const err = await rejection(host({ pinnedFingerprint: pinned }).exec(`touch ${marker}`));
    expect(err.kind).toBe("hostkey");
    expect(err.permanent).toBe(true);
    expect(err.message).toContain(pinned);
    expect(err.message).toContain(rotated);
    expect(existsSync(marker)).toBe(false);
  });

  it("never silently accepts a new key on reconnect once one was recorded", async () => {
    const h = host();
    const first = await h.connect();
    const dropped = new Promise<HostError>((resolve) => h.onDisconnect(resolve));
    await sshd.rotateHostKey();
    expect((await dropped).kind).toBe("unreachable");
    const err = await rejection(h.exec("true"));
    expect(err.kind).toBe("hostkey");
    expect(h.hostFingerprint).toBe(first);
  });
});

describe("SshHost connection", () => {
  it("runs 20 concurrent commands with at most 8 channels open on one connection", async () => {
    const h = host();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => h.exec(`sleep 0.3; echo ${i} "$SSH_CONNECTION"`)),
    );
    results.forEach((r, i) => {
      expect(r.code).toBe(0);
      expect(r.stdout.toString().split(" ")[0]).toBe(String(i));
    });
    expect(h.peakChannels).toBe(8);
    expect(h.openChannels).toBe(0);
    const sourcePorts = new Set(results.map((r) => r.stdout.toString().split(" ")[2]));
    expect(sourcePorts.size).toBe(1);
  });

  it("sshd refuses an 11th concurrent session on one connection (why the cap is 8)", async () => {
    const client = new ssh2.Client();
    await new Promise<void>((resolve, reject) => {
      client.once("ready", resolve).once("error", reject);
      client.connect({ host: "127.0.0.1", port: sshd.port, username: "root", privateKey: key.privateKey });
    });
    try {
      const outcomes = await Promise.all(
        Array.from(
          { length: 11 },
          () =>
            new Promise<string>((resolve) => {
              client.exec("sleep 1", (err, ch) => {
                if (err) return resolve("refused");
                ch.on("close", () => resolve("ran")).resume();
                ch.stderr.resume();
              });
            }),
        ),
      );
      expect(outcomes.filter((o) => o === "ran")).toHaveLength(10);
      expect(outcomes.filter((o) => o === "refused")).toHaveLength(1);
    } finally {
      client.end();
    }
  });

  it("asks again for a channel the host refused to open, and runs the command once when it opens", async () => {
    const one = await startTestSshd({ authorizedKeys: [key.publicKey], maxSessions: 1 });
    try {
      const h = host({ port: one.port, maxChannels: 2 });
      const dir = makeTempDir("refused");
      const free = path.join(dir, "free");
      const ran = path.join(dir, "ran");
      const holding = h.exec(`while [ ! -e '${free}' ]; do sleep 0.1; done`);
      await until(() => h.openChannels === 1);
      const second = h.exec(`echo once >> '${ran}'; echo done`);
      // sshd refused the second session (its one session is held); the command waits, it did not fail.
      await until(() => readFileSync(path.join(one.dir, "sshd.log"), "utf8").includes("no more sessions"));
      expect(existsSync(ran)).toBe(false);
      writeFileSync(free, "");
      expect((await holding).code).toBe(0);
      expect((await second).stdout.toString()).toBe("done\n");
      expect(readFileSync(ran, "utf8")).toBe("once\n");
    } finally {
      await one.dispose();
    }
  });

  it("reuses one TCP connection, shared by concurrent first commands", async () => {
    await until(() => sshd.sessionPids().length === 0);
    const h = host();
    const ports = await Promise.all(Array.from({ length: 5 }, () => clientPort(h)));
    for (let i = 0; i < 5; i++) ports.push(await clientPort(h));
    expect(new Set(ports).size).toBe(1);
    expect(sshd.sessionPids()).toHaveLength(1);
  });

  it("reconnects on the next command after the host drops the session", async () => {
    const h = host();
    const before = await clientPort(h);
    const dropped = new Promise<HostError>((resolve) => h.onDisconnect(resolve));
    await sshd.killSessions();
    const reason = await dropped;
    expect(reason.permanent).toBe(false);
    expect(h.isConnected).toBe(false);
    const after = await clientPort(h);
    expect(after).not.toBe(before);
    expect(h.isConnected).toBe(true);
  });

  it("fails fast and retryably when nothing listens on the port", async () => {
    // "Fast" means on the refused connection, not at the end of the connect timeout: a timeout far
    // longer than any machine's lag tells the two apart without guessing how fast a refusal is.
    const started = Date.now();
    const err = await rejection(host({ port: await freePort(), connectTimeoutMs: 120_000 }).exec("true"));
    expect(err.kind).toBe("unreachable");
    expect(err.permanent).toBe(false);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("reports a key the host does not accept as a permanent auth error", async () => {
    const err = await rejection(host({ privateKey: makeClientKey().privateKey }).exec("true"));
    expect(err.kind).toBe("auth");
    expect(err.permanent).toBe(true);
  });

  it("reports an unusable private key as a permanent auth error", async () => {
    const err = await rejection(host({ privateKey: "not a key" }).exec("true"));
    expect(err.kind).toBe("auth");
    expect(err.permanent).toBe(true);
  });

  it("refuses a channel cap above sshd's default MaxSessions", () => {
    expect(() => host({ maxChannels: 11 })).toThrow(RangeError);
  });
});

describe("Kiln's own key", () => {
  it("is always a pair ssh2 can read (ssh2's generator drops a leading zero byte about once in 256)", () => {
    // Before: ensureKilnKey kept whatever ssh2.utils.generateKeyPairSync gave; ~8 of 2,000 such
    // pairs are refused by ssh2.utils.parseKey, and a Kiln with one could never reach any host.
    for (let i = 0; i < 2000; i++) {
      const pair = generateUsableKeyPair("kiln");
      expect(ssh2.utils.parseKey(pair.privateKey)).not.toBeInstanceOf(Error);
      expect(ssh2.utils.parseKey(pair.publicKey)).not.toBeInstanceOf(Error);
    }
  });

  it("moves an unreadable key aside (never deletes it) and makes a new one", () => {
    const dataDir = makeTempDir("keys");
    try {
      const privatePath = path.join(dataDir, "ssh", "id_ed25519");
      mkdirSync(path.dirname(privatePath), { recursive: true });
      const broken = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
      writeFileSync(privatePath, broken, { mode: 0o600 });
      writeFileSync(`${privatePath}.pub`, "ssh-ed25519 AAAA kiln\n");
      const key = ensureKilnKey(dataDir, new Date("2026-12-01T12:00:00Z"));
      expect(key.movedAside).toBe(`${privatePath}.unreadable-2026-12-01T12-00-00-000Z`);
      expect(readFileSync(key.movedAside!, "utf8")).toBe(broken);
      expect(readFileSync(`${key.movedAside!}.pub`, "utf8")).toBe("ssh-ed25519 AAAA kiln\n");
      expect(ssh2.utils.parseKey(readFileSync(privatePath, "utf8"))).not.toBeInstanceOf(Error);
      expect(readFileSync(`${privatePath}.pub`, "utf8").trim()).toBe(key.publicKey);
      expect(ensureKilnKey(dataDir)).toEqual({ privateKey: key.privateKey, publicKey: key.publicKey }); // kept from now on
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("is generated once with mode 0600, kept afterwards, and accepted by sshd", async () => {
    const dataDir = makeTempDir("keys");
    try {
      const first = ensureKilnKey(dataDir);
      const privatePath = path.join(dataDir, "ssh", "id_ed25519");
      expect(statSync(privatePath).mode & 0o777).toBe(0o600);
      expect(first.publicKey).toMatch(/^ssh-ed25519 AAAA\S+ kiln$/);
      expect(ensureKilnKey(dataDir)).toEqual(first);
      rmSync(`${privatePath}.pub`);
      expect(ensureKilnKey(dataDir)).toEqual(first); // a lost .pub is rebuilt, the private key kept
      const keygen = mustRun("ssh-keygen", ["-lf", `${privatePath}.pub`]).split(/\s+/)[1];
      expect(fingerprintOfPublicKeyLine(first.publicKey)).toBe(keygen);
      sshd.authorize(first.publicKey);
      const r = await host({ privateKey: first.privateKey }).exec("echo ok");
      expect(r.stdout.toString()).toBe("ok\n");
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("channel semaphore", () => {
  it("hands free slots to waiters in arrival order and drops abandoned waiters", async () => {
    const sem = new Semaphore(2);
    const a = await sem.acquire();
    const b = await sem.acquire();
    const order: string[] = [];
    const abandon = new AbortController();
    const c = sem.acquire().then((release) => (order.push("c"), release));
    const gone = sem.acquire(abandon.signal);
    const d = sem.acquire().then((release) => (order.push("d"), release));
    abandon.abort();
    await expect(gone).rejects.toBeInstanceOf(AbortedWait);
    expect(sem.waiting).toBe(2);
    b();
    b(); // releasing twice frees one slot only
    (await c)();
    a();
    (await d)();
    expect(order).toEqual(["c", "d"]);
    expect(sem.active).toBe(0);
    expect(sem.peak).toBe(2);
  });
});
