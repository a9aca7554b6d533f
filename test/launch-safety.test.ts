// The launch verb's host-side script, run for real with `sh -c` against real loop devices: it starts
// badblocks only on the confirmed, unused drive, never adopts another run's job dir, and the host
// lock of the device makes a second badblocks on one disk impossible, whoever asks.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBadblocksArgv } from "../src/badblocks/command.js";
import { buildLaunchScript, lockDeviceFunction, parseLaunchOutput, runOwner, type DeviceIdentity } from "../src/remote/launch-script.js";
import { buildCancelScript, parseCancelOutput } from "../src/remote/scripts.js";
import { buildReadScript, parseReadOutput } from "../src/remote/read-script.js";
import { loopIdentity, TEST_INSTALL_ID } from "./helpers/launch.js";
import { createLoopDevice, createMountedExt4, createSlowDisk, type LoopDevice, type MountedExt4 } from "./helpers/testhost.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { createHostUser } from "./helpers/host-users.js";

const sh = (script: string): string => execFileSync("sh", ["-c", script], { encoding: "utf8" });
const tmp = makeTempDir("launch-safety");
let slow: LoopDevice;
let plain: LoopDevice;
let mounted: MountedExt4;
let signed: LoopDevice;
let dirs = 0;
const runs: string[] = [];

const token = (n: number) => n.toString(16).padStart(32, "0");

function launch(device: string, o: { identity?: DeviceIdentity; owner?: string; dir?: string; run?: number } = {}) {
  const identity = o.identity ?? loopIdentity(device);
  const jobDir = o.dir ?? path.join(tmp, `job-${++dirs}`);
  const owner = o.owner ?? runOwner(TEST_INSTALL_ID, token(o.run ?? dirs), identity);
  const argv = buildBadblocksArgv({ device, sizeBytes: identity.sizeBytes, outputFile: "badblocks.txt", patterns: ["0xaa"] });
  const result = parseLaunchOutput(sh(buildLaunchScript({ jobDir, argv, owner, identity })));
  if (result.kind === "started") runs.push(jobDir);
  return { jobDir, owner, result };
}

function badblocksOn(device: string): number {
  const r = spawnSync("pgrep", ["-a", "-x", "badblocks"], { encoding: "utf8" });
  return r.stdout.split("\n").filter((l) => l.split(" ").includes(device)).length;
}

beforeAll(() => {
  slow = createSlowDisk({ sizeMiB: 4, rateBytesPerSec: 512 * 1024 });
  plain = createLoopDevice({ sizeMiB: 4 });
  mounted = createMountedExt4({ sizeMiB: 8 });
  signed = createLoopDevice({ sizeMiB: 8, name: "signed" });
  execFileSync("mkfs.ext4", ["-q", "-F", signed.device]);
});

afterAll(() => {
  for (const dir of runs) spawnSync("sh", ["-c", buildCancelScript(dir, 2)]);
  slow?.detach();
  plain?.detach();
  mounted?.detach();
  signed?.detach();
});

describe("the launch script, on the host, right before setsid", () => {
  it("refuses a loop device now backed by another image, and starts nothing", () => {
    const { jobDir, result } = launch(plain.device, { identity: { ...loopIdentity(plain.device), backingFile: "/tmp/some-other.img" } });
    expect(result).toMatchObject({ kind: "refused" });
    expect(result.kind === "refused" && result.reason).toMatch(/now backed by .*disk\.img, not by the confirmed \/tmp\/some-other\.img/);
    expect(existsSync(path.join(jobDir, "pid"))).toBe(false);
    expect(badblocksOn(plain.device)).toBe(0);
  });

  it("refuses a device whose size is not the confirmed drive's", () => {
    const { result } = launch(plain.device, { identity: { ...loopIdentity(plain.device), sizeBytes: 8 << 20 } });
    expect(result.kind === "refused" && result.reason).toMatch(/holds 4194304 bytes, the confirmed drive 8388608/);
  });

  it("refuses a bare device path it cannot tie to a serial, WWN or by-id link", () => {
    const { result } = launch(plain.device, { identity: { ...loopIdentity(plain.device), backingFile: null } });
    expect(result.kind === "refused" && result.reason).toMatch(/no by-id link and reports no serial or WWN/);
  });

  it("refuses a mounted disk, and one carrying a filesystem signature", () => {
    const m = launch(mounted.device);
    expect(m.result.kind === "refused" && m.result.reason).toMatch(/is mounted at/);
    const s = launch(signed.device);
    expect(s.result.kind === "refused" && s.result.reason).toMatch(/carries a signature: .*TYPE="?ext4/);
    expect(badblocksOn(mounted.device) + badblocksOn(signed.device)).toBe(0);
  });

  it("never adopts a job dir that another install or run owns, even one holding a pid file", () => {
    const dir = path.join(tmp, "foreign");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "owner"), `${runOwner("fedcba9876543210", token(1), loopIdentity(plain.device))}\n`);
    writeFileSync(path.join(dir, "pid"), `${process.pid}\n`);
    writeFileSync(path.join(dir, "exit"), "0\n");
    const { result, owner } = launch(plain.device, { dir });
    expect(result.kind === "refused" && result.reason).toMatch(/belongs to another run or another Kiln install/);
    // And a read by this run's owner sees it as foreign: none of its files is taken for this run's.
    const read = parseReadOutput(Buffer.from(sh(buildReadScript([{ key: "k", jobDir: dir, logOffset: 0, bbOffset: 0, maxBytes: 100, owner }])), "latin1")).get("k");
    expect(read).toMatchObject({ foreign: true, exit: null, log: null });
  });

  it("holds the device's host lock for badblocks' life: a second run on the disk is refused until the first is gone", () => {
    const first = launch(slow.device);
    expect(first.result.kind).toBe("started");
    // The same run asking again (a lost answer) is told it is running, not started twice.
    expect(launch(slow.device, { dir: first.jobDir, owner: first.owner }).result).toMatchObject({ kind: "existing", alive: true });
    // Another run (another job, another Kiln install) on the same disk cannot start a second badblocks.
    const second = launch(slow.device);
    expect(second.result.kind === "refused" && second.result.reason).toMatch(/another badblocks is already running on .*host lock/);
    expect(badblocksOn(slow.device)).toBe(1);
    expect(parseCancelOutput(sh(buildCancelScript(first.jobDir, 5)))).toBe("gone");
    const third = launch(slow.device);
    expect(third.result.kind).toBe("started");
    expect(badblocksOn(slow.device)).toBe(1);
    expect(parseCancelOutput(sh(buildCancelScript(third.jobDir, 5)))).toBe("gone");
    expect(readFileSync(path.join(third.jobDir, "owner"), "utf8").trim()).toBe(third.owner);
  });
});

describe("the host lock dir", () => {
  it("is opened to every login: a sudo user is refused in a 0755 dir root made, until a root launch makes it 1777", () => {
    const runLock = makeTempDir("runlock");
    chmodSync(runLock, 0o1777); // as /run/lock
    const locks = path.join(runLock, "kiln");
    mkdirSync(locks);
    chmodSync(locks, 0o755);
    const user = createHostUser({ shell: "/bin/sh" });
    try {
      const script = [
        'kiln_refuse() { echo "REFUSED $*"; exit 0; }',
        "kiln_mm=7:250",
        "kiln_real=/dev/kiln-lock-test",
        lockDeviceFunction([runLock]),
        "kiln_lock_device",
        "echo LOCKED",
      ].join("\n");
      const asUser = () => spawnSync("su", ["-s", "/bin/sh", user.name, "-c", script], { encoding: "utf8" }).stdout.trim();
      expect(asUser()).toMatch(/^REFUSED cannot open the host lock .*chmod 1777/);
      expect(sh(script).trim()).toBe("LOCKED"); // root
      expect((statSync(locks).mode & 0o7777).toString(8)).toBe("1777");
      expect(asUser()).toBe("LOCKED");
    } finally {
      user.dispose();
    }
  });
});
