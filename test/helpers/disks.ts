// Disk fixtures on this machine, all cleaned by the registry: plain loop devices, a disk whose bad
// ranges fail reads with EIO (nbdkit sh plugin behind nbdfuse, then a loop device), a rate-limited
// slow disk, and a mounted ext4. Loop devices use direct I/O so reads really reach the backend.
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { mustRun, registerCleanup, run } from "./cleanup.js";
import { serveThroughFuse } from "./nbd-fuse.js";
import { sleepSync } from "./processes.js";
import { makeTempDir } from "./tempdir.js";

export interface LoopDevice {
  device: string;
  file: string;
  detach(): void;
}

export interface BadRange {
  startByte: number;
  length: number;
}

export interface BadDisk {
  device: string;
  /** Block numbers (of `blockSize` bytes) that touch a bad range: what badblocks should report. */
  badBlocks(blockSize: number): number[];
  /** Changes the rate limit while the disk is in use (given a rate at creation; nbdkit reads it within ~1 s). */
  setRate(bytesPerSec: number): void;
  detach(): void;
}

export interface SlowDisk extends LoopDevice {
  /**
   * Changes the rate limit while the disk is in use (nbdkit reads it within about a second): e.g.
   * slow while a test needs a burn-in to keep running, fast once it may end.
   */
  setRate(bytesPerSec: number): void;
}

export interface MountedExt4 {
  device: string;
  mountpoint: string;
  detach(): void;
}

const MiB = 1024 * 1024;

/** `losetup -f` can race with another process grabbing the same free device: retry a few times. */
export function attachLoop(file: string): string {
  let last = "";
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = run("losetup", ["--direct-io=on", "-f", "--show", file]);
    if (r.status === 0) return r.stdout.trim();
    last = r.stderr.trim();
    sleepSync(100 * (attempt + 1));
  }
  throw new Error(`losetup ${file} failed: ${last}`);
}

export function detachLoop(device: string): void {
  run("losetup", ["-d", device]);
}

/** Runs `teardown` once, from detach() or from the registry, whichever comes first. */
function owned(label: string, teardown: () => void): () => void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    teardown();
  };
  const unregister = registerCleanup(label, once);
  return () => {
    unregister();
    once();
  };
}

function sparseFile(file: string, sizeBytes: number): void {
  closeSync(openSync(file, "w"));
  truncateSync(file, sizeBytes);
}

export function createLoopDevice(opts: { sizeMiB: number; name?: string }): LoopDevice {
  const dir = makeTempDir("loop");
  const file = path.join(dir, `${opts.name ?? "disk"}.img`);
  sparseFile(file, opts.sizeMiB * MiB);
  let device = "";
  const detach = owned(`loop device for ${file}`, () => {
    if (device) detachLoop(device);
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    device = attachLoop(file);
  } catch (err) {
    detach();
    throw err;
  }
  return { device, file, detach };
}

/** A part of a disk that answers slower: each request's bytes in it cost an extra `1 / extraBytesPerSec` seconds per byte. */
export interface SlowRange {
  startByte: number;
  length: number;
  extraBytesPerSec: number;
}

function badDiskPlugin(backing: string, ranges: BadRange[], corrupt: BadRange[] = [], slow: SlowRange[] = []): string {
  const spec = (list: BadRange[]) => list.map((r) => `${r.startByte}:${r.length}`).join(" ");
  const slowSpec = slow.map((r) => `${Math.round(r.startByte)}:${Math.round(r.length)}:${Math.round(r.extraBytesPerSec)}`).join(" ");
  return `#!/bin/sh
# nbdkit sh plugin: a disk whose reads of the bad ranges fail with EIO, and whose reads of the corrupt
# ranges return 0x13 bytes instead of what was written (silent corruption); writes always succeed.
# Requests touching a slow range sleep in proportion to the bytes they move there.
B='${backing}'
BAD='${spec(ranges)}'
CORRUPT='${spec(corrupt)}'
SLOW='${slowSpec}'
kiln_slow() {
  for r in $SLOW; do
    s=\${r%%:*}; rest=\${r#*:}; l=\${rest%%:*}; x=\${rest##*:}
    lo=$(( $2 > s ? $2 : s )); hi=$(( $2 + $1 < s + l ? $2 + $1 : s + l ))
    if [ "$hi" -gt "$lo" ]; then ms=$(( (hi - lo) * 1000 / x )); sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"; fi
  done
}
case "$1" in
  get_size) stat -c %s "$B" ;;
  can_write|can_flush) exit 0 ;;
  flush) exit 0 ;;
  pread)
    kiln_slow "$3" "$4"
    for r in $BAD; do
      s=\${r%%:*}; l=\${r##*:}
      if [ "$4" -lt $((s + l)) ] && [ $(($4 + $3)) -gt "$s" ]; then
        echo "EIO bad sector in $s+$l" >&2; exit 1
      fi
    done
    [ -z "$CORRUPT" ] && exec dd if="$B" iflag=skip_bytes,count_bytes skip="$4" count="$3" bs=64K status=none
    t=$(mktemp) || exit 1
    dd if="$B" of="$t" iflag=skip_bytes,count_bytes skip="$4" count="$3" bs=64K status=none
    for r in $CORRUPT; do
      s=\${r%%:*}; l=\${r##*:}
      from=$(( s > $4 ? s : $4 )); to=$(( s + l < $4 + $3 ? s + l : $4 + $3 ))
      if [ "$from" -lt "$to" ]; then
        head -c $((to - from)) /dev/zero | tr '\\000' '\\023' | dd of="$t" oflag=seek_bytes seek=$((from - $4)) conv=notrunc status=none
      fi
    done
    cat "$t"; rm -f "$t" ;;
  pwrite)
    kiln_slow "$3" "$4"
    exec dd of="$B" oflag=seek_bytes conv=notrunc,nocreat seek="$4" iflag=fullblock,count_bytes count="$3" bs=64K status=none ;;
  *) exit 2 ;;
esac
`;
}

export function blocksTouching(ranges: BadRange[], blockSize: number): number[] {
  const blocks = new Set<number>();
  for (const r of ranges) {
    if (r.length <= 0) continue;
    const first = Math.floor(r.startByte / blockSize);
    const last = Math.floor((r.startByte + r.length - 1) / blockSize);
    for (let b = first; b <= last; b++) blocks.add(b);
  }
  return [...blocks].sort((a, b) => a - b);
}

/** nbdkit takes filters before the plugin and their key=value parameters after it. */
function rateFilter(dir: string, rateBytesPerSec: number | undefined, burstinessSeconds?: number): { filter: string[]; params: string[] } {
  if (!rateBytesPerSec) return { filter: [], params: [] };
  const file = rateFile(dir);
  writeRate(file, rateBytesPerSec);
  const burst = burstinessSeconds === undefined ? [] : [`burstiness=${burstinessSeconds}`];
  return { filter: ["--filter=rate"], params: [`rate=${Math.round(rateBytesPerSec * 8)}`, `rate-file=${file}`, ...burst] };
}

const rateFile = (dir: string): string => path.join(dir, "rate");

function writeRate(file: string, bytesPerSec: number): void {
  writeFileSync(`${file}.tmp`, `${Math.round(bytesPerSec * 8)}\n`);
  renameSync(`${file}.tmp`, file); // nbdkit never reads half a number
}

/** A disk behind nbdkit + nbdfuse + a direct-I/O loop device. */
function fuseBackedDisk(label: string, sizeBytes: number, nbdkitArgs: (dir: string, backing: string) => string[]): SlowDisk {
  const dir = makeTempDir(label);
  const backing = path.join(dir, "backing.img");
  sparseFile(backing, sizeBytes);
  let device = "";
  let stopServer = (): void => {};
  const detach = owned(`${label} disk in ${dir}`, () => {
    if (device) detachLoop(device);
    stopServer();
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    const served = serveThroughFuse(dir, nbdkitArgs(dir, backing), sizeBytes);
    stopServer = served.stop;
    device = attachLoop(served.file);
  } catch (err) {
    detach();
    throw err;
  }
  const setRate = (bytesPerSec: number): void => {
    if (!existsSync(rateFile(dir))) throw new Error(`the ${label} disk in ${dir} was made without a rate limit`);
    writeRate(rateFile(dir), bytesPerSec);
  };
  return { device, file: backing, detach, setRate };
}

export function createBadDisk(opts: {
  sizeMiB: number; badRanges: BadRange[]; corruptRanges?: BadRange[]; rateBytesPerSec?: number; slowRanges?: SlowRange[];
  /** nbdkit's rate filter bucket, in seconds of rate it may burst after idling (default 2). */
  burstinessSeconds?: number;
}): BadDisk {
  const disk = fuseBackedDisk("baddisk", opts.sizeMiB * MiB, (dir, backing) => {
    const plugin = path.join(dir, "plugin.sh");
    writeFileSync(plugin, badDiskPlugin(backing, opts.badRanges, opts.corruptRanges, opts.slowRanges), { mode: 0o755 });
    const rate = rateFilter(dir, opts.rateBytesPerSec, opts.burstinessSeconds);
    return [...rate.filter, "sh", plugin, ...rate.params];
  });
  return {
    device: disk.device,
    badBlocks: (blockSize) => blocksTouching([...opts.badRanges, ...(opts.corruptRanges ?? [])], blockSize),
    setRate: disk.setRate,
    detach: disk.detach,
  };
}

export function createSlowDisk(opts: { sizeMiB: number; rateBytesPerSec: number; burstinessSeconds?: number }): SlowDisk {
  return fuseBackedDisk("slowdisk", opts.sizeMiB * MiB, (dir, backing) => {
    const rate = rateFilter(dir, opts.rateBytesPerSec, opts.burstinessSeconds);
    return [...rate.filter, "file", `file=${backing}`, ...rate.params];
  });
}

/**
 * A disk at `rateBytesPerSec` (nbdkit's rate filter) except in [startByte, startByte + length),
 * where it moves `slowBytesPerSec` (the sh plugin sleeps for the difference): a weak zone.
 */
export function createRegionSlowDisk(opts: {
  sizeMiB: number; rateBytesPerSec: number; burstinessSeconds?: number; slow: { startByte: number; length: number; slowBytesPerSec: number };
}): SlowDisk {
  const extra = 1 / (1 / opts.slow.slowBytesPerSec - 1 / opts.rateBytesPerSec);
  const disk = createBadDisk({
    sizeMiB: opts.sizeMiB, badRanges: [], rateBytesPerSec: opts.rateBytesPerSec, burstinessSeconds: opts.burstinessSeconds,
    slowRanges: [{ startByte: opts.slow.startByte, length: opts.slow.length, extraBytesPerSec: extra }],
  });
  return { device: disk.device, file: "", detach: disk.detach, setRate: disk.setRate };
}

export function createMountedExt4(opts: { sizeMiB: number }): MountedExt4 {
  const loop = createLoopDevice({ sizeMiB: opts.sizeMiB, name: "ext4" });
  const mountpoint = path.join(path.dirname(loop.file), "mnt");
  let mounted = false;
  const detach = owned(`ext4 mount at ${mountpoint}`, () => {
    if (mounted && run("umount", [mountpoint]).status !== 0) run("umount", ["-l", mountpoint]);
    loop.detach();
  });
  try {
    mkdirSync(mountpoint);
    mustRun("mkfs.ext4", ["-q", "-F", loop.device]);
    mustRun("mount", [loop.device, mountpoint]);
    mounted = true;
  } catch (err) {
    detach();
    throw err;
  }
  return { device: loop.device, mountpoint, detach };
}
