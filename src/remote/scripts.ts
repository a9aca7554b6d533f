// Pure builders of the POSIX sh scripts Kiln sends to a host, and parsers of what they print.
// The launch script, which starts badblocks, is in launch-script.ts.
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
import { remoteDirShellWord, shQuote } from "../shell/quote.js";
import { ROOT_FNS } from "./privilege.js";
import { privileged } from "./privileged.js";

export const PREAMBLE = `PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"; export PATH
LC_ALL=C; export LC_ALL`;

/**
 * kiln_state: reads $kiln_dir's pid files and sets KILN_PG (or empty), KILN_BB_ALIVE=1 when bb.pid
 * is a live process whose cmdline names badblocks and this job's device, KILN_ALIVE=1 when that
 * holds or the group leader is still this job's wrapper. A recycled pid never counts as ours.
 * Shared with remote/prune.ts.
 */
export const STATE_FN = `${ROOT_FNS}
# kiln_here PID: the process works in this job dir. A process that runs as root through sudo hides
# its cwd from the login user; then it counts when it is in the job's process group (/proc/PID/stat).
kiln_here() {
  [ "/proc/$1/cwd" -ef "$kiln_dir" ] && return 0
  [ "\${KILN_SUDO:-0}" = 1 ] && [ -n "$KILN_PG" ] || return 1
  kiln_st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  kiln_st=\${kiln_st##*) }
  set -- $kiln_st
  [ "$3" = "$KILN_PG" ]
}
kiln_state() {
  KILN_PG=""; KILN_ALIVE=0; KILN_BB_ALIVE=0
  [ -s "$kiln_dir/pid" ] || return 0
  read -r KILN_PG < "$kiln_dir/pid" || :
  case "$KILN_PG" in ''|*[!0-9]*) KILN_PG=""; return 0 ;; esac
  kiln_dev=""; kiln_bb=""
  [ -s "$kiln_dir/device" ] && read -r kiln_dev < "$kiln_dir/device"
  [ -s "$kiln_dir/bb.pid" ] && read -r kiln_bb < "$kiln_dir/bb.pid"
  # Builtins first (a poll runs this for every job): a live process of this job has its working
  # directory in the job dir; only then is its command line read (badblocks on this device).
  case "$kiln_bb" in ''|*[!0-9]*) ;; *)
    if [ -n "$kiln_dev" ] && kiln_here "$kiln_bb" && kiln_cmd=$(tr '\\000' ' ' 2>/dev/null < "/proc/$kiln_bb/cmdline"); then
      case "$kiln_cmd" in *badblocks*" $kiln_dev "*) KILN_BB_ALIVE=1 ;; esac
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

// ---- reading jobs ------------------------------------------------------------------------------

export interface ReadRequest {
  /** Names the job in the answer: letters, digits and . _ : - only. */
  key: string;
  jobDir: string;
  logOffset: number;
  bbOffset: number;
  /** At most this many new bytes of each file. */
  maxBytes: number;
  /** This run's owner line: a dir whose owner file says otherwise is reported foreign, never read. */
  owner?: string | null;
}

export interface FileChunk {
  /** The file's size now. Smaller than `offset` means it was truncated or replaced. */
  size: number;
  offset: number;
  /** Bytes from `offset`, at most maxBytes; more may be waiting when offset + length < size. */
  data: Buffer;
  truncated: boolean;
}

export interface JobRead {
  /** Whether the job dir exists at all. */
  found: boolean;
  /** The dir belongs to another run or another Kiln install: nothing of it was read. */
  foreign: boolean;
  /** null: the file does not exist (yet). */
  log: FileChunk | null;
  bb: FileChunk | null;
  /** badblocks' exit status as written by the wrapper, trimmed; null while it runs. */
  exit: string | null;
  pgid: number | null;
  /** The job's wrapper or its badblocks is running (and really is this job's). */
  alive: boolean;
  bbAlive: boolean;
}

const MAX_READ_BYTES = 16 * 1024 * 1024;

/** Framed, binary-safe: a line `KILN-FILE <log|bb> <size|-> <offset> <n>`, n raw bytes, then \n. */
const READ_FNS = `kiln_chunk() {
  if [ ! -f "$2" ]; then printf 'KILN-FILE %s - %s 0\\n\\n' "$1" "$3"; return 0; fi
  kiln_size=$(wc -c < "$2" 2>/dev/null) || kiln_size=0
  kiln_size=$((kiln_size + 0))
  if [ "$kiln_size" -le "$3" ]; then printf 'KILN-FILE %s %s %s 0\\n\\n' "$1" "$kiln_size" "$3"; return 0; fi
  tail -c +$(($3 + 1)) "$2" 2>/dev/null | head -c "$4" > "$kiln_tmp"
  kiln_n=$(wc -c < "$kiln_tmp")
  echo "KILN-FILE $1 $kiln_size $3 $((kiln_n + 0))"
  cat "$kiln_tmp"
  echo
}
kiln_ours() {
  [ -z "$2" ] || [ ! -d "$1" ] && return 0
  kiln_own=""; [ -s "$1/owner" ] && read -r kiln_own < "$1/owner"
  [ "$kiln_own" = "$2" ]
}
kiln_job() {
  kiln_dir=$2
  echo "KILN-JOB $1"
  if ! kiln_ours "$kiln_dir" "$6"; then echo "KILN-FOREIGN"; echo "KILN-END"; return 0; fi
  if [ -d "$kiln_dir" ]; then
    # The exit file first: the wrapper writes it only after the log is drained, so a log read after
    # it always holds the final record (read the other way round, a poll could see the exit
    # without the last lines and end a finished run unknown).
    if [ -f "$kiln_dir/exit" ]; then
      kiln_n=$(wc -c < "$kiln_dir/exit")
      echo "KILN-EXIT $((kiln_n + 0))"
      cat "$kiln_dir/exit"
      echo
    else
      echo "KILN-EXIT -"
    fi
    kiln_chunk log "$kiln_dir/progress.log" "$3" "$5"
    kiln_chunk bb "$kiln_dir/badblocks.txt" "$4" "$5"
    kiln_state
    echo "KILN-PROC \${KILN_PG:--} $KILN_ALIVE $KILN_BB_ALIVE"
  else
    echo "KILN-NODIR"
  fi
  echo "KILN-END"
}`;

/** One script that reports every requested job: new log and bad-block bytes, exit status, liveness. */
export function buildReadScript(reqs: readonly ReadRequest[]): string {
  const calls = reqs.map((r) => {
    if (typeof r.key !== "string" || !/^[A-Za-z0-9._:-]{1,64}$/.test(r.key)) {
      throw new InvalidInputError(`read key ${JSON.stringify(r.key)} must be 1-64 letters, digits, . _ : -`);
    }
    for (const [name, n] of [["log offset", r.logOffset], ["bad-block offset", r.bbOffset]] as const) {
      if (!Number.isSafeInteger(n) || n < 0) throw new InvalidInputError(`${name} must be a whole number ≥ 0, got ${String(n)}`);
    }
    if (!Number.isInteger(r.maxBytes) || r.maxBytes < 1 || r.maxBytes > MAX_READ_BYTES) {
      throw new InvalidInputError(`maxBytes must be 1 to ${MAX_READ_BYTES}, got ${String(r.maxBytes)}`);
    }
    if (r.owner && /[\n\r]/.test(r.owner)) throw new InvalidInputError("an owner line is one line");
    return `kiln_job ${shQuote(r.key)} ${remoteDirShellWord(r.jobDir)} ${r.logOffset} ${r.bbOffset} ${r.maxBytes} ${shQuote(r.owner ?? "")}`;
  });
  return `${PREAMBLE}
kiln_tmp=$(mktemp 2>/dev/null) || kiln_tmp="/tmp/kiln-read.$$"
trap 'rm -f "$kiln_tmp"' EXIT
${STATE_FN}
${READ_FNS}
${calls.join("\n")}
`;
}

/**
 * Parses buildReadScript's output. Only jobs whose report is complete (up to KILN-END) are in the
 * map: a cut-off answer loses the last job, never half of it.
 */
export function parseReadOutput(buf: Buffer): Map<string, JobRead> {
  const out = new Map<string, JobRead>();
  let at = 0;
  const line = (): string | null => {
    const nl = buf.indexOf(0x0a, at);
    if (nl < 0) return null;
    const text = buf.toString("latin1", at, nl);
    at = nl + 1;
    return text;
  };
  for (;;) {
    const head = line();
    if (head === null || !head.startsWith("KILN-JOB ")) return out;
    const job: JobRead = { found: true, foreign: false, log: null, bb: null, exit: null, pgid: null, alive: false, bbAlive: false };
    for (;;) {
      const l = line();
      if (l === null) return out;
      const f = l.split(" ");
      if (l === "KILN-END") break;
      if (l === "KILN-NODIR") job.found = false;
      else if (l === "KILN-FOREIGN") job.foreign = true;
      else if (f[0] === "KILN-FILE" && f.length === 5 && (f[1] === "log" || f[1] === "bb")) {
        const n = Number(f[4]);
        if (!Number.isSafeInteger(n) || n < 0 || at + n >= buf.length || buf[at + n] !== 0x0a) return out;
        if (f[2] !== "-") {
          const size = Number(f[2]);
          const offset = Number(f[3]);
          job[f[1]] = { size, offset, data: Buffer.from(buf.subarray(at, at + n)), truncated: size < offset };
        }
        at += n + 1;
      } else if (f[0] === "KILN-EXIT" && f[1] !== "-") {
        const n = Number(f[1]);
        if (!Number.isSafeInteger(n) || at + n >= buf.length) return out;
        job.exit = buf.toString("latin1", at, at + n).trim();
        at += n + 1;
      } else if (f[0] === "KILN-PROC") {
        job.pgid = f[1] && /^\d+$/.test(f[1]) ? Number(f[1]) : null;
        job.alive = f[2] === "1";
        job.bbAlive = f[3] === "1";
      } else if (f[0] !== "KILN-EXIT") return out;
    }
    out.set(head.slice("KILN-JOB ".length), job);
  }
}
