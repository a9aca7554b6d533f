// The launch verb's host-side script: the one way Kiln starts badblocks (first run, every resume
// segment, every restart), safe by itself. In one script, on the host, right before `setsid`:
//   1. the job dir is claimed for this run (its `owner` file: install id, run token, device identity)
//      or, when it exists, adopted only if its owner is exactly this run's: a dir of another install
//      or another run is refused, never read as ours;
//   2. a run already started there (pid file) is reported, not started again (a lost answer is re-read);
//   3. the host-wide lock of the block device (flock, shared by every Kiln on the host) is taken; it is
//      inherited by the wrapper and badblocks and held for their whole life: a second badblocks on one
//      disk cannot start, whoever asks;
//   4. the device still is the confirmed drive (by-id link, serial/WWN, size; a loop device by its
//      backing file and size), a whole disk, not mounted, no swap, no holders, no partitions, no
//      filesystem/RAID/LVM/ZFS/swap signature. Otherwise it refuses, saying why.
import { InvalidInputError } from "../errors.js";
import { remoteDirShellWord, shJoin, shQuote, validateDevicePath } from "../shell/quote.js";
import { privileged } from "./privileged.js";
import { ROOT_FNS } from "./privilege.js";
import { PREAMBLE, STATE_FN } from "./scripts.js";
import { DEFAULT_SQUEEZE_SECONDS, squeezeScript } from "./squeeze.js";

/** What the operator confirmed, as recorded at the scan: what the host must still see at launch. */
export interface DeviceIdentity {
  /** The path badblocks is given: a /dev/disk/by-id link, or /dev/loopN. */
  path: string;
  sizeBytes: number;
  serial: string | null;
  wwn: string | null;
  /** A loop device's backing file: its only identity (loop devices have no by-id link). */
  backingFile: string | null;
}

export interface LaunchOptions {
  jobDir: string;
  /** The badblocks argv (badblocks/command.ts); runs with the job dir as its working dir. */
  argv: readonly string[];
  /** This run's owner line (runOwner()): the job dir is this run's only when its owner file holds it. */
  owner: string;
  identity: DeviceIdentity;
  squeezeSeconds?: number;
}

export type LaunchResult =
  | { kind: "started"; pgid: number }
  | { kind: "existing"; pgid: number | null; alive: boolean }
  /** Nothing was started, for a reason the operator must see (wrong disk, in use, locked, foreign dir). */
  | { kind: "refused"; reason: string }
  | { kind: "failed"; reason: string };

/** Host-global lock dirs, first usable wins (the same on every Kiln talking to one host). */
const LOCK_DIRS = ["/run/lock", "/var/lock", "/tmp"];

/** The owner line of one run: the same bytes on the host and in the database. */
export function runOwner(installId: string, runToken: string, identity: DeviceIdentity): string {
  if (!/^[0-9a-f]{8,64}$/.test(installId) || !/^[0-9a-f]{16,64}$/.test(runToken)) {
    throw new InvalidInputError("install id and run token must be lowercase hex");
  }
  const device = JSON.stringify([identity.path, identity.sizeBytes, identity.serial, identity.wwn, identity.backingFile]);
  return `kiln-run install=${installId} run=${runToken} device=${device}`.replace(/[\n\r]/g, " ");
}

/** Checks that the device is the confirmed drive; sets kiln_real, kiln_sys, kiln_mm or refuses. */
function identityChecks(id: DeviceIdentity): string {
  const want = (v: string | null) => shQuote(v ?? "");
  const byId = id.path.startsWith("/dev/disk/by-id/");
  return `kiln_dev=${shQuote(id.path)}
[ -b "$kiln_dev" ] || kiln_refuse "$kiln_dev is not a block device on the host now"
kiln_real=$(readlink -f "$kiln_dev") && [ -b "$kiln_real" ] || kiln_refuse "$kiln_dev does not resolve to a block device"
kiln_k=\${kiln_real##*/}
kiln_sys=/sys/class/block/$kiln_k
[ -r "$kiln_sys/dev" ] || kiln_refuse "$kiln_real is not listed in /sys/class/block"
[ -e "$kiln_sys/partition" ] && kiln_refuse "$kiln_real is a partition, not a whole disk"
read -r kiln_mm < "$kiln_sys/dev"
kiln_lock_device
read -r kiln_sectors < "$kiln_sys/size"
kiln_size=$((kiln_sectors * 512))
[ "$kiln_size" = ${id.sizeBytes} ] || kiln_refuse "$kiln_dev now holds $kiln_size bytes, the confirmed drive ${id.sizeBytes}"
kiln_bf_want=${want(id.backingFile)}
if [ -n "$kiln_bf_want" ]; then
  kiln_bf=""; [ -r "$kiln_sys/loop/backing_file" ] && read -r kiln_bf < "$kiln_sys/loop/backing_file"
  [ "$kiln_bf" = "$kiln_bf_want" ] || kiln_refuse "$kiln_dev is now backed by \${kiln_bf:-nothing}, not by the confirmed $kiln_bf_want"
else
  kiln_known=${byId ? 1 : 0}
  kiln_field() { lsblk -dn -o "$1" "$kiln_real" 2>/dev/null | sed 's/^ *//; s/ *$//'; }
  kiln_ser_want=${want(id.serial)}; kiln_wwn_want=${want(id.wwn)}
  if [ -n "$kiln_ser_want" ] && kiln_ser=$(kiln_field SERIAL) && [ -n "$kiln_ser" ]; then
    [ "$kiln_ser" = "$kiln_ser_want" ] || kiln_refuse "$kiln_dev now reports serial $kiln_ser, the confirmed drive $kiln_ser_want"
    kiln_known=1
  fi
  if [ -n "$kiln_wwn_want" ] && kiln_wwn=$(kiln_field WWN) && [ -n "$kiln_wwn" ]; then
    [ "$kiln_wwn" = "$kiln_wwn_want" ] || kiln_refuse "$kiln_dev now reports WWN $kiln_wwn, the confirmed drive $kiln_wwn_want"
    kiln_known=1
  fi
  [ "$kiln_known" = 1 ] || kiln_refuse "$kiln_dev has no by-id link and reports no serial or WWN to confirm it is the confirmed drive"
fi`;
}

/** Refuses a device that is mounted, swap, held, partitioned or carries any signature. */
const IN_USE_CHECKS = `while read -r _ _ kiln_m _ kiln_mp _; do
  [ "$kiln_m" = "$kiln_mm" ] && kiln_refuse "$kiln_real is mounted at $kiln_mp"
done < /proc/self/mountinfo
while read -r kiln_src kiln_mp _; do
  case "$kiln_src" in /*) [ "$(readlink -f "$kiln_src" 2>/dev/null)" = "$kiln_real" ] && kiln_refuse "$kiln_real is mounted at $kiln_mp" ;; esac
done < /proc/mounts
while read -r kiln_sw _; do
  [ "$kiln_sw" = Filename ] && continue
  [ "$(readlink -f "$kiln_sw" 2>/dev/null)" = "$kiln_real" ] && kiln_refuse "$kiln_real is in use as swap"
done < /proc/swaps
for kiln_h in "$kiln_sys"/holders/*; do [ -e "$kiln_h" ] && kiln_refuse "$kiln_real is held by \${kiln_h##*/} (device mapper, RAID or LVM)"; done
for kiln_p in "$kiln_sys/$kiln_k"*; do [ -e "$kiln_p/partition" ] && kiln_refuse "$kiln_real has a partition (\${kiln_p##*/})"; done
if command -v blkid >/dev/null 2>&1; then
  kiln_sig=$(${privileged("blkid")} -p -o export "$kiln_real" 2>&1); kiln_rc=$?
  case $kiln_rc in
    2) ;;
    0) kiln_refuse "$kiln_real carries a signature: $(printf '%s\\n' "$kiln_sig" | grep -E '^(TYPE|PTTYPE|LABEL|USAGE)=' | tr '\\n' ' ')" ;;
    *) kiln_refuse "blkid could not check $kiln_real for signatures (exit $kiln_rc): $(printf '%s' "$kiln_sig" | head -c 200)" ;;
  esac
elif command -v wipefs >/dev/null 2>&1; then
  kiln_sig=$(${privileged("wipefs")} -n "$kiln_real" 2>&1) || kiln_refuse "wipefs could not check $kiln_real for signatures"
  [ -z "$kiln_sig" ] || kiln_refuse "$kiln_real carries a signature: $(printf '%s' "$kiln_sig" | head -c 300 | tr '\\n' ' ')"
else
  kiln_refuse "neither blkid nor wipefs is installed: cannot check $kiln_real for filesystem, RAID, LVM, ZFS or swap signatures"
fi`;

/**
 * The shell function that takes the device's host lock (fd 9) or refuses: `kiln_mm` (major:minor)
 * and `kiln_real` are set and `kiln_refuse` is defined by the caller. `dirs` is for tests.
 */
export const lockDeviceFunction = (dirs: readonly string[] = LOCK_DIRS): string => `kiln_lock_device() {
  kiln_locks=""
  for kiln_d in ${dirs.map(shQuote).join(" ")}; do
    if [ -d "$kiln_d" ] && [ -w "$kiln_d" ]; then kiln_locks="$kiln_d/kiln"; break; fi
  done
  [ -n "$kiln_locks" ] || kiln_refuse "no writable lock directory on the host"
  # Every login (root, each sudo user) must be able to create a device's lock file here: sticky
  # 1777 like /tmp. A root login repairs a dir something else made without it.
  [ -d "$kiln_locks" ] || { mkdir -p "$kiln_locks" && chmod 1777 "$kiln_locks"; } 2>/dev/null
  [ "$(id -u)" != 0 ] || [ -k "$kiln_locks" ] || chmod 1777 "$kiln_locks" 2>/dev/null
  kiln_lockfile="$kiln_locks/blockdev-\${kiln_mm%%:*}-\${kiln_mm##*:}.lock"
  # Opened for reading (flock needs no more): another login (root, a sudo admin) may have created it.
  [ -e "$kiln_lockfile" ] || ( : >> "$kiln_lockfile" ) 2>/dev/null
  [ -r "$kiln_lockfile" ] || kiln_refuse "cannot open the host lock $kiln_lockfile (a root login makes $kiln_locks writable for every login, mode 1777, at its next launch; or run chmod 1777 $kiln_locks as root)"
  exec 9<"$kiln_lockfile"
  flock -n 9 || kiln_refuse "another badblocks is already running on $kiln_real (its host lock $kiln_lockfile is held)"
}`;

export function buildLaunchScript(o: LaunchOptions): string {
  const dir = remoteDirShellWord(o.jobDir);
  if (!Array.isArray(o.argv) || !/^(?:.*\/)?badblocks$/.test(o.argv[0] ?? "")) {
    throw new InvalidInputError("the command to launch must be a badblocks argv");
  }
  const device = validateDevicePath(o.identity?.path ?? "");
  if (!o.argv.includes(device)) throw new InvalidInputError(`the badblocks argv does not name ${device}`);
  if (!Number.isSafeInteger(o.identity.sizeBytes) || o.identity.sizeBytes <= 0) throw new InvalidInputError("the confirmed size must be a whole number of bytes");
  if (typeof o.owner !== "string" || !o.owner.startsWith("kiln-run ") || /[\n\r]/.test(o.owner)) {
    throw new InvalidInputError("the run's owner line is missing");
  }
  const wrapper = wrapperScript(o.argv, o.squeezeSeconds ?? DEFAULT_SQUEEZE_SECONDS);
  return `${PREAMBLE}
kiln_dir=${dir}
kiln_owner=${shQuote(o.owner)}
${STATE_FN}
kiln_refuse() { rmdir "$kiln_dir/lock" 2>/dev/null; echo "KILN-LAUNCH refused $*"; exit 0; }
${lockDeviceFunction()}
for kiln_tool in badblocks setsid mkfifo awk tr sed flock readlink; do
  command -v "$kiln_tool" >/dev/null 2>&1 || { echo "KILN-LAUNCH failed missing $kiln_tool"; exit 0; }
done
mkdir -p "\${kiln_dir%/*}" 2>/dev/null
if mkdir "$kiln_dir" 2>/dev/null; then
  printf '%s\\n' "$kiln_owner" > "$kiln_dir/owner.tmp" && mv "$kiln_dir/owner.tmp" "$kiln_dir/owner" || { echo "KILN-LAUNCH failed cannot write $kiln_dir/owner"; exit 0; }
else
  [ -d "$kiln_dir" ] || { echo "KILN-LAUNCH failed cannot create $kiln_dir"; exit 0; }
  kiln_i=0
  while [ ! -s "$kiln_dir/owner" ] && [ "$kiln_i" -lt 50 ]; do sleep 0.1; kiln_i=$((kiln_i + 1)); done
  kiln_found=""; [ -s "$kiln_dir/owner" ] && read -r kiln_found < "$kiln_dir/owner"
  if [ "$kiln_found" != "$kiln_owner" ]; then
    echo "KILN-LAUNCH refused $kiln_dir belongs to another run or another Kiln install (owner: \${kiln_found:-none}); it is never adopted"
    exit 0
  fi
fi
cd "$kiln_dir" || { echo "KILN-LAUNCH failed cannot enter $kiln_dir"; exit 0; }
if [ -e pid ]; then kiln_state; echo "KILN-LAUNCH existing $KILN_PG $KILN_ALIVE"; exit 0; fi
if ! mkdir lock 2>/dev/null; then
  kiln_wait_pid
  if [ -s pid ]; then kiln_state; echo "KILN-LAUNCH existing $KILN_PG $KILN_ALIVE"; else echo "KILN-LAUNCH failed locked"; fi
  exit 0
fi
${identityChecks(o.identity)}
${IN_USE_CHECKS}
printf '%s\\n' ${shQuote(device)} > device
printf '%s' ${shQuote(wrapper)} > run.sh
setsid sh "$kiln_dir/run.sh" </dev/null >/dev/null 2>&1 &
exec 9>&-
kiln_wait_pid
if [ -s pid ]; then echo "KILN-LAUNCH started $(cat pid)"; else echo "KILN-LAUNCH failed no pid file after 5 s"; fi
`;
}

/**
 * The wrapper (run.sh). Ignores HUP/PIPE and waits through TERM so the exit status gets written.
 * It runs as the login user; in sudo mode badblocks alone runs as root (`sudo -n /abs/badblocks`, in
 * the wrapper's process group), and every file it writes is created by the user first (umask 022),
 * so the login user can always read them. It inherits the device's host lock (fd 9) from the launch
 * script, and so do the squeezer and (on a root login) badblocks: the lock is held until the last of
 * them ends (sudo closes fd 9 for badblocks, but the wrapper waits for it and the squeezer reads its
 * stderr until it ends).
 */
function wrapperScript(argv: readonly string[], squeezeSeconds: number): string {
  const outIdx = argv.indexOf("-o");
  const outFile = outIdx > 0 ? argv[outIdx + 1] : undefined;
  return `# Kiln burn-in wrapper: process group leader (setsid); see src/remote/launch-script.ts.
trap '' HUP PIPE
trap ':' INT TERM
cd "\${0%/run.sh}" || exit 1
${PREAMBLE}
umask 022
${ROOT_FNS}
kiln_fail() {
  echo "kiln: $1" >> progress.log
  echo 127 > exit.tmp && mv exit.tmp exit
  echo $$ > pid.tmp && mv pid.tmp pid
  exit 1
}
if [ "\${KILN_SUDO:-0}" = 1 ]; then
  kiln_which badblocks || kiln_fail "badblocks is not installed on the host"
  kiln_b=$kiln_w
  kiln_which sudo || kiln_fail "sudo is not installed on the host"
  set -- "$kiln_w" -n "$kiln_b"
else
  set -- ${shQuote(argv[0]!)}
fi
${outFile === undefined ? "" : `: >> ${shQuote(outFile)}
`}kiln_squeeze() {
${squeezeScript(squeezeSeconds)}
}
rm -f progress.fifo
if ! mkfifo progress.fifo; then
  echo "kiln: cannot create progress.fifo" >> progress.log
  echo 126 > exit.tmp && mv exit.tmp exit
  echo $$ > pid.tmp && mv pid.tmp pid
  exit 1
fi
( trap '' HUP INT TERM PIPE; kiln_squeeze < progress.fifo >> progress.log ) &
kiln_sq=$!
"$@" ${shJoin(argv.slice(1))} > stdout.txt 2> progress.fifo &
kiln_bb=$!
echo "$kiln_bb" > bb.pid.tmp && mv bb.pid.tmp bb.pid
echo $$ > pid.tmp && mv pid.tmp pid
while :; do
  wait "$kiln_bb"
  kiln_rc=$?
  kill -0 "$kiln_bb" 2>/dev/null || break
done
wait "$kiln_sq"
echo "$kiln_rc" > exit.tmp && mv exit.tmp exit
rm -f progress.fifo
`;
}

export function parseLaunchOutput(stdout: Buffer | string): LaunchResult {
  const line = String(stdout).split("\n").find((l) => l.startsWith("KILN-LAUNCH ")) ?? "";
  const [, kind = "", a = "", b = ""] = line.trim().split(" ");
  if (kind === "started" && /^\d+$/.test(a)) return { kind, pgid: Number(a) };
  if (kind === "existing") return { kind, pgid: /^\d+$/.test(a) ? Number(a) : null, alive: b === "1" };
  if (kind === "refused") return { kind, reason: line.slice("KILN-LAUNCH refused ".length).trim() };
  if (kind === "failed") return { kind, reason: line.slice("KILN-LAUNCH failed ".length).trim() };
  return { kind: "failed", reason: line ? `unexpected answer: ${line}` : "no answer from the launch script" };
}
