// The real scan script, run with `sh -c` on this machine against loop devices made here:
// blank, ext4 (not mounted), ext4 mounted, MBR only, MBR with a registered partition.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, realpathSync, rmSync, writeSync, closeSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScanScript, parseScanOutput } from "../src/inventory/scan.js";
import type { ScannedDrive, ScanResult } from "../src/inventory/types.js";
import { mustRun, registerCleanup, run } from "./helpers/cleanup.js";
import { createLoopDevice, createMountedExt4, type LoopDevice, type MountedExt4 } from "./helpers/disks.js";

const NONCE = "feedfacecafe0001";

/** Runs the script as a login shell would: `SHELL -c SCRIPT` (sh is dash here). */
function scan(includeLoopDevices: boolean, shell: string[] = ["sh"]): ScanResult {
  const script = buildScanScript({ includeLoopDevices }, NONCE);
  const r = spawnSync(shell[0]!, [...shell.slice(1), "-c", script], { timeout: 120_000, maxBuffer: 64 << 20 });
  expect(r.stderr.toString()).toBe("");
  expect(r.status).toBe(0);
  return parseScanOutput(r.stdout, { includeLoopDevices, nonce: NONCE });
}

const installed = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
/** Login shells a host may have: bash, zsh (TrueNAS SCALE's root shell), busybox sh. */
const otherShells = [["bash"], ["zsh"], ["busybox", "sh"]].filter((s) => installed(s[0]!));

/** A one-partition MBR written by hand: sfdisk and parted are not installed on this machine. */
function writeMbr(device: string): void {
  const mbr = Buffer.alloc(512);
  mbr.writeUInt32LE(0x4b494c4e, 440); // disk signature
  mbr[446 + 4] = 0x83; // Linux
  mbr.writeUInt32LE(2048, 446 + 8); // first LBA
  mbr.writeUInt32LE(32 * 2048, 446 + 12); // 32 MiB
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  const fd = openSync(device, "r+");
  try {
    writeSync(fd, mbr, 0, 512, 0);
  } finally {
    closeSync(fd);
  }
}

/** The whole disk holding "/", from mountinfo and sysfs (vda on this machine). */
function rootDisk(): string {
  const root = readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => l.split(" ")[4] === "/").pop()!;
  const name = path.basename(root.split(" - ")[1]!.split(" ")[1]!);
  const sys = `/sys/class/block/${name}`;
  return existsSync(`${sys}/partition`) ? path.basename(path.dirname(realpathSync(sys))) : name;
}

const short = (d: LoopDevice | MountedExt4) => path.basename(d.device);

describe("scan script on this machine", () => {
  let blank: LoopDevice, ext4: LoopDevice, tableOnly: LoopDevice, partitioned: LoopDevice, mounted: MountedExt4;
  let unregisterPartx = () => {};
  let withLoops: ScanResult, withoutLoops: ScanResult;
  const drive = (d: LoopDevice | MountedExt4): ScannedDrive | undefined => withLoops.drives.find((x) => x.devName === short(d));

  beforeAll(() => {
    blank = createLoopDevice({ sizeMiB: 64, name: "blank" });
    ext4 = createLoopDevice({ sizeMiB: 64, name: "ext4" });
    mustRun("mkfs.ext4", ["-q", "-F", ext4.device]);
    tableOnly = createLoopDevice({ sizeMiB: 64, name: "mbr" });
    writeMbr(tableOnly.device);
    partitioned = createLoopDevice({ sizeMiB: 64, name: "parts" });
    writeMbr(partitioned.device);
    // This kernel does not parse MBRs itself: register the partition as partx does.
    unregisterPartx = registerCleanup(`partx -d ${partitioned.device}`, () => void run("partx", ["-d", partitioned.device]));
    mustRun("partx", ["-a", partitioned.device]);
    mounted = createMountedExt4({ sizeMiB: 64 });
    withLoops = scan(true);
    withoutLoops = scan(false);
  });

  afterAll(() => {
    run("partx", ["-d", partitioned?.device ?? ""]);
    unregisterPartx();
    for (const d of [mounted, partitioned, tableOnly, ext4, blank]) d?.detach();
  });

  it("lists a blank loop device as free, with its backing file", () => {
    expect(drive(blank)).toMatchObject({ inUse: null, transport: "loop", model: `loop: ${blank.file}`, identityKey: `dev:${short(blank)}`, sizeBytes: 64 * 1024 * 1024 });
  });

  it("finds the ext4 signature of an unmounted filesystem (no udev here: lsblk alone would not)", () => {
    expect(drive(ext4)!.inUse).toEqual({ reason: "ext4 filesystem signature" });
  });

  it("reports a mounted filesystem with its mount point", () => {
    expect(drive(mounted)!.inUse).toEqual({ reason: `mounted at ${mounted.mountpoint}` });
  });

  it("reports a partition table without registered partitions", () => {
    expect(drive(tableOnly)!.inUse).toEqual({ reason: "has partitions (dos partition table)" });
  });

  it("reports registered partitions", () => {
    expect(drive(partitioned)!.inUse).toEqual({ reason: "has partitions" });
  });

  it("reports the disk holding / as the boot disk", () => {
    const boot = withLoops.drives.find((d) => d.devName === rootDisk());
    expect(boot?.inUse?.reason).toMatch(/^holds the root filesystem \(boot disk\)/);
  });

  it.each(otherShells.map((s) => [s.join(" "), s]))("gives the same answers under %s", (_name, shell) => {
    const other = scan(true, shell);
    const reasons = (r: ScanResult) => [blank, ext4, mounted, tableOnly, partitioned].map((d) => r.drives.find((x) => x.devName === short(d))?.inUse);
    expect(reasons(other)).toEqual(reasons(withLoops));
    expect(other.warnings).toEqual([]);
  });

  it("lists no loop device without includeLoopDevices, and the other drives all the same", () => {
    expect(withoutLoops.drives.filter((d) => d.devName.startsWith("loop") || d.transport === "loop")).toEqual([]);
    expect(withoutLoops.drives.map((d) => d.devName)).toContain(rootDisk());
    expect(withoutLoops.warnings.filter((w) => /lsblk|begin|end frame/.test(w))).toEqual([]);
  });
});

describe("scan script's own name check", () => {
  it("skips /sys/block names with shell metacharacters and never runs them", () => {
    const cwd = mkdtempSync("/tmp/kiln-test-names-");
    try {
      const script = buildScanScript({ includeLoopDevices: false }, NONCE);
      // A private mount namespace with a fake /sys/block holding hostile names.
      const setup = "mount -t tmpfs none /sys/block && cd /sys/block && mkdir 'x;touch pwned1' '$(touch pwned2)' sdzz && echo 2048 >sdzz/size && cd \"$2\" && exec sh -c \"$1\"";
      const r = spawnSync("unshare", ["-m", "sh", "-c", setup, "setup", script, cwd], { cwd, timeout: 60_000 });
      expect(r.status).toBe(0);
      const { warnings } = parseScanOutput(r.stdout, { includeLoopDevices: false, nonce: NONCE });
      expect(warnings).toContain('skipped a block device with an unsafe name: "x;touch pwned1"');
      expect(warnings).toContain('skipped a block device with an unsafe name: "$(touch pwned2)"');
      expect(r.stdout.toString()).toContain(`@@KILN:${NONCE} dev sdzz 2048`);
      expect(readdirSync(cwd)).toEqual([]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
