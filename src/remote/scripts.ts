// Pure builders of the POSIX sh scripts Kiln sends to a host, and parsers of what they print.
// The launch script, which starts badblocks, is in launch-script.ts; the read script of a poll in
// read-script.ts.
//
// A job lives in its own dir on the host (`jobDir`):
//   owner         this run's owner line (install id, run token, device identity): only a dir whose
//                 owner is exactly this run's is adopted by a launch or read as this run's
//   run.sh        the wrapper; started by setsid, so its pid is the job's process group id
//   pid, bb.pid   the wrapper's pid (= pgid) and badblocks' pid, each written atomically
//   device        the device under test (to recognise badblocks in /proc/PID/cmdline)
//   progress.log  badblocks' stderr after the squeezer (squeeze.ts)
//   badblocks.txt badblocks' -o list of bad blocks; stdout.txt its stdout
//   exit          badblocks' exit status, written (exit.tmp → mv) once it ended and the log is drained
//   lock          mkdir'd by the first launch: two launches can never both start badblocks
// Every user string is validated and single-quoted; scripts never expand one unquoted.

import { InvalidInputError } from "../errors.js";
import { remoteDirShellWord } from "../shell/quote.js";
import { ROOT_FNS } from "./privilege.js";
import { privileged } from "./privileged.js";

export const PREAMBLE = `PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"; export PATH
LC_ALL=C; export LC_ALL`;

/**
 * kiln_state: reads $kiln_dir's pid files and sets KILN_PG (or empty), KILN_BB_ALIVE=1 when bb.pid
 * is a live process whose cmdline names badblocks and this job's device, KILN_ALIVE=1 when that
 * holds or the group leader is still this job's wrapper. A recycled pid never counts as ours.
 * KILN_BB_ID names the badblocks process found (`boot id:pid:start time`): a later call given it in
 * $kiln_known (the read script) finds the same process by that alone, without reading its command
 * line (a fork per job per poll); a pid with another start time, or after a reboot, is a new process
 * and is checked again. Shared with remote/prune.ts.
 */
export const STATE_FN = `${ROOT_FNS}
# kiln_here PID: the process works in this job dir. A process that runs as root through sudo hides
# its cwd from the login user; then it counts when it is in the job's process group (/proc/PID/stat).
kiln_here() {
  [ "/proc/$1/cwd" -ef "$kiln_dir" ] && return 0
  [ "\${KILN_SUDO:-0}" = 1 ] && [ -n "$KILN_PG" ] || return 1
  kiln_st=""; read -r kiln_st 2>/dev/null < "/proc/$1/stat"
  kiln_st=\${kiln_st##*) }
  set -- $kiln_st
  [ "$3" = "$KILN_PG" ]
}
# kiln_started PID: kiln_stt = the process's start time (clock ticks after boot), empty when gone.
kiln_started() {
  kiln_stt=""; kiln_st=""; read -r kiln_st 2>/dev/null < "/proc/$1/stat"
  kiln_st=\${kiln_st##*) }
  set -- $kiln_st
  [ $# -ge 20 ] && shift 19 && kiln_stt=$1
}
kiln_state() {
  KILN_PG=""; KILN_ALIVE=0; KILN_BB_ALIVE=0; KILN_BB_ID=""
  [ -s "$kiln_dir/pid" ] || return 0
  read -r KILN_PG < "$kiln_dir/pid" || :
  case "$KILN_PG" in ''|*[!0-9]*) KILN_PG=""; return 0 ;; esac
  kiln_dev=""; kiln_bb=""
  [ -s "$kiln_dir/device" ] && read -r kiln_dev < "$kiln_dir/device"
  [ -s "$kiln_dir/bb.pid" ] && read -r kiln_bb < "$kiln_dir/bb.pid"
  # Builtins first (a poll runs this for every job): a live process of this job has its working
  # directory in the job dir; only then is its command line read (badblocks on this device).
  case "$kiln_bb" in ''|*[!0-9]*) ;; *)
    if [ -n "$kiln_dev" ] && kiln_here "$kiln_bb"; then
      # The start time first: a pid that died and was reused during the check below is not
      # remembered as the process that was checked.
      kiln_started "$kiln_bb"
      if [ -n "$kiln_stt" ] && [ -n "\${kiln_known:-}" ] && [ "$kiln_known" = "\${kiln_boot:-}:$kiln_bb:$kiln_stt" ]; then KILN_BB_ALIVE=1
      elif kiln_cmd=$(tr '\\000' ' ' 2>/dev/null < "/proc/$kiln_bb/cmdline"); then
        case "$kiln_cmd" in *badblocks*" $kiln_dev "*) KILN_BB_ALIVE=1 ;; esac
      fi
      [ "$KILN_BB_ALIVE" = 1 ] && [ -n "$kiln_stt" ] && [ -n "\${kiln_boot:-}" ] && KILN_BB_ID="$kiln_boot:$kiln_bb:$kiln_stt"
    fi ;;
  esac
  if [ "$KILN_BB_ALIVE" = 1 ]; then KILN_ALIVE=1; return 0; fi
  if [ "/proc/$KILN_PG/cwd" -ef "$kiln_dir" ] && kiln_cmd=$(tr '\\000' ' ' 2>/dev/null < "/proc/$KILN_PG/cmdline"); then
    case "$kiln_cmd" in *" $kiln_dir/run.sh "*) KILN_ALIVE=1 ;; esac
  fi
  return 0
}
# kiln_signal SIG PGID: signals the job's process group; in sudo mode as root (badblocks runs as root).
# kiln_group PGID: some process of the group lives; in sudo mode read from /proc (pgrep, not kill -0,
# which a user cannot send to root's processes), zombies not counted.
kiln_signal() {
  if [ "\${KILN_SUDO:-0}" = 1 ]; then ${privileged("kill")} -"$1" -- -"$2" >/dev/null 2>&1; else kill -"$1" -"$2" 2>/dev/null; fi
}
kiln_group() {
  if [ "\${KILN_SUDO:-0}" != 1 ] || ! command -v pgrep >/dev/null 2>&1; then kill -0 -"$1" 2>/dev/null; return; fi
  for kiln_p in $(pgrep -g "$1" 2>/dev/null); do
    kiln_s=$(cat "/proc/$kiln_p/stat" 2>/dev/null) || continue
    case \${kiln_s##*) } in Z*) ;; *) return 0 ;; esac
  done
  return 1
}
kiln_wait_pid() {
  kiln_i=0
  while [ ! -s "$kiln_dir/pid" ] && [ "$kiln_i" -lt 50 ]; do sleep 0.1; kiln_i=$((kiln_i + 1)); done
}`;

export function buildCancelScript(jobDir: string, graceSeconds = 10): string {
  const dir = remoteDirShellWord(jobDir);
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > 600) {
    throw new InvalidInputError(`grace period must be 0 to 600 whole seconds, got ${String(graceSeconds)}`);
  }
  return `${PREAMBLE}
kiln_dir=${dir}
${STATE_FN}
[ -d "$kiln_dir" ] || { echo "KILN-CANCEL none"; exit 0; }
[ ! -e "$kiln_dir/pid" ] && [ -d "$kiln_dir/lock" ] && kiln_wait_pid
[ -e "$kiln_dir/pid" ] || { echo "KILN-CANCEL none"; exit 0; }
kiln_state
[ "$KILN_ALIVE" = 1 ] || { echo "KILN-CANCEL gone"; exit 0; }
kiln_pg=$KILN_PG
kiln_signal TERM "$kiln_pg"
kiln_signal CONT "$kiln_pg"
kiln_i=0
while kiln_group "$kiln_pg" && [ "$kiln_i" -lt ${graceSeconds * 10} ]; do sleep 0.1; kiln_i=$((kiln_i + 1)); done
if kiln_group "$kiln_pg"; then
  kiln_signal KILL "$kiln_pg"
  kiln_i=0
  while kiln_group "$kiln_pg" && [ "$kiln_i" -lt 50 ]; do sleep 0.1; kiln_i=$((kiln_i + 1)); done
fi
if kiln_group "$kiln_pg"; then echo "KILN-CANCEL still-alive"; else echo "KILN-CANCEL gone"; fi
`;
}

export function parseCancelOutput(stdout: Buffer | string): "gone" | "still-alive" | "none" | null {
  const m = /^KILN-CANCEL (gone|still-alive|none)$/m.exec(String(stdout));
  return (m?.[1] as "gone" | "still-alive" | "none" | undefined) ?? null;
}

/** Pauses (STOP) or resumes (CONT) the job's whole process group, if it is still this job's. */
export function buildSignalScript(jobDir: string, signal: "STOP" | "CONT"): string {
  const dir = remoteDirShellWord(jobDir);
  if (signal !== "STOP" && signal !== "CONT") throw new InvalidInputError(`signal must be STOP or CONT, got ${String(signal)}`);
  return `${PREAMBLE}
kiln_dir=${dir}
${STATE_FN}
kiln_state
if [ "$KILN_ALIVE" = 1 ] && kiln_signal ${signal} "$KILN_PG"; then echo "KILN-SIGNAL sent"; else echo "KILN-SIGNAL none"; fi
`;
}

export function parseSignalOutput(stdout: Buffer | string): "sent" | "none" | null {
  const m = /^KILN-SIGNAL (sent|none)$/m.exec(String(stdout));
  return (m?.[1] as "sent" | "none" | undefined) ?? null;
}
