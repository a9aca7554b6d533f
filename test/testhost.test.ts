// The suite's real test host: disks that really fail, mounts that really show, cleanup that really
// leaves nothing behind (even after a crashed run).
// Slow (~30 s): proves the fixtures themselves: badblocks -w over a disk with bad sectors, a rate-limited disk, a crashed run's leftovers.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SshHost } from "../src/ssh/connection.js";
import { run } from "./helpers/cleanup.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { removeLeftovers } from "./helpers/leftovers.js";
import { isRunning } from "./helpers/processes.js";
import {
  cleanupAll,
  createBadDisk,
  createLoopDevice,
  createMountedExt4,
  createSlowDisk,
  makeClientKey,
  startTestSshd,
} from "./helpers/testhost.js";

const MiB = 1024 * 1024;
const scratch = makeTempDir("scratch");

afterAll(() => {
  cleanupAll();
  rmSync(scratch, { recursive: true, force: true });
});

function loops(): { name: string; backFile: string; dio: boolean }[] {
  const out = run("losetup", ["--list", "--json", "--output", "NAME,BACK-FILE,DIO"]).stdout.trim();
  if (!out) return [];
  const parsed = JSON.parse(out) as { loopdevices: { name: string; "back-file": string; dio: boolean }[] };
  return parsed.loopdevices.map((l) => ({ name: l.name, backFile: l["back-file"], dio: l.dio }));
}

function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1] ?? "")
    .filter((target) => target === dir || target.startsWith(`${dir}/`));
}

/** dd with O_DIRECT, so that the page cache cannot answer for the device. */
function readBlock(device: string, block: number, blockSize = 4096): { ok: boolean; data: Buffer; stderr: string } {
  const r = spawnSync("dd", [`if=${device}`, `bs=${blockSize}`, `skip=${block}`, "count=1", "iflag=direct", "status=none"]);
  return { ok: r.status === 0, data: r.stdout, stderr: r.stderr.toString() };
}

describe("bad disk", () => {
  const badRanges = [
    { startByte: 1 * MiB, length: 4096 },
    { startByte: 2 * MiB + 512, length: 512 },
  ];

  it("fails reads of the bad ranges with EIO and returns what was written elsewhere", () => {
    const disk = createBadDisk({ sizeMiB: 4, badRanges });
    try {
      expect(disk.badBlocks(4096)).toEqual([256, 512]);
      const pattern = Buffer.alloc(4 * MiB);
      for (let i = 0; i < pattern.length; i += 4) pattern.writeUInt32LE(i / 4, i);
      const file = path.join(scratch, "pattern.bin");
      writeFileSync(file, pattern);
      const write = run("dd", [`if=${file}`, `of=${disk.device}`, "bs=64K", "oflag=direct", "status=none"]);
      expect(write.stderr).toBe("");
      expect(write.status).toBe(0); // writes succeed, even over the bad ranges

      for (const block of [0, 255, 257, 511, 513, 1023]) {
        const r = readBlock(disk.device, block);
        expect(r.ok, `block ${block}: ${r.stderr}`).toBe(true);
        expect(r.data.equals(pattern.subarray(block * 4096, (block + 1) * 4096))).toBe(true);
      }
      for (const block of [256, 512]) {
        const r = readBlock(disk.device, block);
        expect(r.ok).toBe(false);
        expect(r.stderr).toContain("Input/output error");
      }
    } finally {
      disk.detach();
    }
  });

  it("makes badblocks -w report exactly the blocks of the bad ranges", () => {
    const disk = createBadDisk({ sizeMiB: 4, badRanges });
    try {
      const out = path.join(scratch, "badblocks.txt");
      const r = run("badblocks", ["-w", "-b", "4096", "-o", out, disk.device], 300_000);
      expect(r.status).toBe(0);
      const found = readFileSync(out, "utf8").split("\n").filter(Boolean).map(Number);
      expect(found).toEqual(disk.badBlocks(4096));
    } finally {
      disk.detach();
    }
  });
});

describe("loop devices, ext4 and the slow disk", () => {
  it("attaches a sparse file as a direct-I/O loop device and detaches it", () => {
    const loop = createLoopDevice({ sizeMiB: 8, name: "plain" });
    expect(loops()).toContainEqual({ name: loop.device, backFile: loop.file, dio: true });
    expect(run("blockdev", ["--getsize64", loop.device]).stdout.trim()).toBe(String(8 * MiB));
    loop.detach();
    expect(loops().map((l) => l.name)).not.toContain(loop.device);
    expect(existsSync(loop.file)).toBe(false);
  });

  it("mounts an ext4 that shows in /proc/mounts and leaves nothing after detach", () => {
    const fs = createMountedExt4({ sizeMiB: 16 });
    const line = readFileSync("/proc/mounts", "utf8")
      .split("\n")
      .find((l) => l.split(" ")[1] === fs.mountpoint);
    expect(line?.split(" ").slice(0, 3)).toEqual([fs.device, fs.mountpoint, "ext4"]);
    fs.detach();
    expect(mountsUnder(fs.mountpoint)).toEqual([]);
    expect(loops().some((l) => l.backFile.startsWith(path.dirname(fs.mountpoint)))).toBe(false);
    expect(existsSync(fs.mountpoint)).toBe(false);
  });

  it("serves reads of the slow disk no faster than its rate", () => {
    const disk = createSlowDisk({ sizeMiB: 4, rateBytesPerSec: 512 * 1024 });
    try {
      const started = Date.now();
      const r = run("dd", [`if=${disk.device}`, "of=/dev/null", "bs=64K", "count=40", "iflag=direct", "status=none"]);
      expect(r.status).toBe(0);
      // 2.5 MiB at 0.5 MiB/s, less nbdkit's initial burst allowance of up to 2 s worth
      expect(Date.now() - started).toBeGreaterThan(2000);
    } finally {
      disk.detach();
    }
  });
});

describe("test sshd", () => {
  it("restarts on the same port with the same host key, and takes a new key on rotation", async () => {
    const key = makeClientKey();
    const sshd = await startTestSshd({ authorizedKeys: [key.publicKey] });
    const opts = { address: "127.0.0.1", port: sshd.port, username: "root", privateKey: key.privateKey, pinnedFingerprint: null };
    try {
      const first = (await SshHost.probe(opts)).fingerprint;
      expect(first).toBe(sshd.hostKeyFingerprint);
      await sshd.stop();
      await expect(SshHost.probe(opts)).rejects.toMatchObject({ kind: "unreachable" });
      await sshd.start();
      expect((await SshHost.probe(opts)).fingerprint).toBe(first);
      const rotated = await sshd.rotateHostKey();
      expect(rotated).not.toBe(first);
      expect((await SshHost.probe(opts)).fingerprint).toBe(rotated);
    } finally {
      await sshd.dispose();
    }
    expect(existsSync(sshd.dir)).toBe(false);
  });
});

describe("test host sessions", () => {
  it("give root a home of the test host's own and keep the PATH prefix", async () => {
    // root's real dotfiles here run `pyenv init` (a rehash under a lock) on every exec: the test
    // host must not serialise every parallel file's execs behind it (helpers/testhost.ts).
    const key = makeClientKey();
    const sshd = await startTestSshd({ authorizedKeys: [key.publicKey], pathPrefix: "/opt/kiln-test-bin" });
    const h = new SshHost({ address: "127.0.0.1", port: sshd.port, username: "root", privateKey: key.privateKey, pinnedFingerprint: null });
    try {
      const r = await h.exec('printf "%s\\n%s\\n" "$HOME" "$PATH"; command -v pyenv || echo no-pyenv');
      const [home, pathVar, pyenv] = r.stdout.toString("utf8").trim().split("\n");
      expect(home).toBe(path.join(sshd.dir, "root-home"));
      expect(pathVar?.startsWith("/opt/kiln-test-bin:")).toBe(true);
      expect(pyenv).toBe("no-pyenv");
    } finally {
      await h.close();
      await sshd.dispose();
    }
  });
});

describe("cleanup", () => {
  it("cleanupAll unmounts, detaches and stops everything the helpers created", async () => {
    const key = makeClientKey();
    const sshd = await startTestSshd({ authorizedKeys: [key.publicKey] });
    const sshdPid = Number(readFileSync(path.join(sshd.dir, "sshd.pid"), "utf8"));
    const h = new SshHost({ address: "127.0.0.1", port: sshd.port, username: "root", privateKey: key.privateKey, pinnedFingerprint: null });
    await h.exec("true"); // a live session too
    const dirs = [
      path.dirname(createLoopDevice({ sizeMiB: 1 }).file),
      path.dirname(createMountedExt4({ sizeMiB: 8 }).mountpoint),
      path.dirname(createSlowDisk({ sizeMiB: 1, rateBytesPerSec: MiB }).file),
      sshd.dir,
    ];
    const bad = createBadDisk({ sizeMiB: 1, badRanges: [] });
    // This disk's own backing dir (not any bad disk's: another file's may still be detaching lazily).
    dirs.push(path.dirname(loops().find((l) => l.name === bad.device)!.backFile));
    const ours = (p: string): boolean => dirs.some((d) => p.startsWith(d));
    expect(loops().filter((l) => ours(l.backFile))).toHaveLength(4);

    expect(cleanupAll()).toEqual([]);
    expect(loops().filter((l) => ours(l.backFile))).toEqual([]);
    for (const dir of dirs) {
      expect(mountsUnder(dir)).toEqual([]);
      expect(existsSync(dir)).toBe(false);
    }
    expect(isRunning(sshdPid)).toBe(false);
    await h.close();
  });

  it("the global setup's sweep removes what a crashed run left behind", () => {
    const fixture = path.join(import.meta.dirname, "helpers", "crash-fixture.ts");
    const r = spawnSync(process.execPath, ["--import", "tsx", fixture], { encoding: "utf8", timeout: 240_000 });
    expect(r.signal).toBe("SIGKILL");
    const left = JSON.parse(r.stdout) as { ext4: { device: string; mountpoint: string }; bad: string; sshdDir: string; sshdPid: number };
    const ext4Dir = path.dirname(left.ext4.mountpoint);
    expect(mountsUnder(ext4Dir)).toHaveLength(1);
    const backFiles = loops()
      .filter((l) => l.name === left.ext4.device || l.name === left.bad)
      .map((l) => l.backFile);
    expect(backFiles).toHaveLength(2);
    expect(isRunning(left.sshdPid)).toBe(true);

    // Another file's sweep (files run in parallel) may take some of it first: check the end state.
    removeLeftovers();
    expect(mountsUnder(ext4Dir)).toEqual([]);
    expect(loops().filter((l) => backFiles.includes(l.backFile))).toEqual([]);
    expect(isRunning(left.sshdPid)).toBe(false);
    expect(existsSync(ext4Dir)).toBe(false);
    expect(existsSync(left.sshdDir)).toBe(false);
  });
});
