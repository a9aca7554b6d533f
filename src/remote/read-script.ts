// The read script: one exec per poll that reports every followed job of a host (new log and
// bad-block bytes, exit status, liveness) and the parser of its answer. The job dir's files are
// described in scripts.ts; the liveness check (kiln_state) is shared from there.
import { InvalidInputError } from "../errors.js";
import { remoteDirShellWord, shQuote } from "../shell/quote.js";
import { PREAMBLE, STATE_FN } from "./scripts.js";

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
  /** The badblocks process an earlier read found (its `process`): the same one is known by that alone. */
  knownProcess?: string | null;
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
  /** The live badblocks process found (`boot id:pid:start time`), to pass back as `knownProcess`. */
  process: string | null;
}

const MAX_READ_BYTES = 16 * 1024 * 1024;
/** A process as the host names it: the kernel's boot id, the pid and its start time after boot. */
const PROCESS_ID = /^[0-9a-f-]{1,64}:\d{1,10}:\d{1,20}$/;

/**
 * The answer: for each job a block of lines (`KILN-JOB`, `KILN-EXIT`, `KILN-FILE <log|bb> <size|->
 * <offset> <n>`, `KILN-PROC`, `KILN-END`), then a line `KILN-DATA` and every job's new bytes, n at a
 * time, in the order of the blocks: binary-safe, and cheap on the host. A poll runs this for every job
 * of a host, so the script forks per poll, not per job: one `wc` for the sizes of all files, one
 * `tail` per file that grew, one `wc` and one `cat` for all chunks (was six or seven per job).
 *
 * Pass 1 reads each job's exit file (a builtin `read`) before any size: the wrapper writes it only
 * after the log is drained, so a log read after it always holds the final record (read the other way
 * round, a poll could see the exit without the last lines and end a finished run unknown).
 */
const READ_FNS = `kiln_ours() {
  [ -z "$2" ] || [ ! -d "$1" ] && return 0
  kiln_own=""; [ -s "$1/owner" ] && read -r kiln_own < "$1/owner"
  [ "$kiln_own" = "$2" ]
}
# kiln_exit I DIR OWNER: pass 1; kiln_k_I = ok, foreign or nodir, kiln_e_I = the exit line or -,
# kiln_d_I and kiln_d = DIR. Returns 0 only for a dir of this run that exists (its files are then
# sized and read).
kiln_exit() {
  kiln_d=$2
  eval "kiln_d_$1=\\$2"
  if ! kiln_ours "$2" "$3"; then eval "kiln_k_$1=foreign"; return 1; fi
  if [ ! -d "$2" ]; then eval "kiln_k_$1=nodir"; return 1; fi
  kiln_v=-
  if [ -f "$2/exit" ]; then kiln_v=""; read -r kiln_v < "$2/exit" || :; kiln_v=":$kiln_v"; fi
  eval "kiln_k_$1=ok; kiln_e_$1=\\$kiln_v"
}
# kiln_listed FD PATH: kiln_wn = PATH's byte count as listed by the one wc whose output is on FD;
# false when wc left it out (it could not read it, or named it otherwise). wc lists in the order it
# was asked, so this is called for every file asked, in that order, and a line is used once.
kiln_listed() {
  eval "kiln_lp=\\\${kiln_lp_$1-}; kiln_ln=\\\${kiln_ln_$1-}"
  if [ -z "$kiln_lp" ]; then IFS=' ' read -r kiln_ln kiln_lp <&$1 || kiln_lp=""; fi
  kiln_wn=""
  if [ -n "$kiln_lp" ] && [ "$kiln_lp" = "$2" ]; then kiln_wn=$((kiln_ln + 0)); kiln_lp=""; fi
  eval "kiln_lp_$1=\\$kiln_lp; kiln_ln_$1=\\$kiln_ln"
  [ -n "$kiln_wn" ]
}
# kiln_alone PATH: kiln_wn = PATH's byte count, counted by a wc of its own (0 when unreadable).
kiln_alone() {
  kiln_wn=$(wc -c < "$1" 2>/dev/null) || kiln_wn=0
  kiln_wn=$((kiln_wn + 0))
}
# kiln_chunk I NAME PATH OFFSET MAX: the new bytes of PATH into $kiln_tmp/I.NAME (always created).
kiln_chunk() {
  kiln_sz=-
  if kiln_listed 3 "$3" || { [ -f "$3" ] && kiln_alone "$3"; }; then kiln_sz=$kiln_wn; fi
  eval "kiln_s_$1_$2=\\$kiln_sz"
  if [ "$kiln_sz" = - ] || [ "$kiln_sz" -le "$4" ]; then : > "$kiln_tmp/$1.$2"; return 0; fi
  if [ $((kiln_sz - $4)) -le $(($5 / 2)) ]; then tail -c +$(($4 + 1)) "$3" > "$kiln_tmp/$1.$2" 2>/dev/null
  else tail -c +$(($4 + 1)) "$3" 2>/dev/null | head -c "$5" > "$kiln_tmp/$1.$2"; fi
}
# kiln_job I LOGOFF BBOFF MAX KNOWN: pass 2, a job of this run: its chunks and its processes.
kiln_job() {
  eval "kiln_dir=\\$kiln_d_$1"
  kiln_known=$5
  kiln_chunk "$1" log "$kiln_dir/progress.log" "$2" "$4"
  kiln_chunk "$1" bb "$kiln_dir/badblocks.txt" "$3" "$4"
  kiln_state
  kiln_pv="\${KILN_PG:--} $KILN_ALIVE $KILN_BB_ALIVE \${KILN_BB_ID:--}"
  eval "kiln_p_$1=\\$kiln_pv"
}
# kiln_report I KEY LOGOFF BBOFF: pass 3, the job's block; chunk lengths are read from fd 4.
kiln_report() {
  echo "KILN-JOB $2"
  eval "kiln_k=\\$kiln_k_$1"
  if [ "$kiln_k" = foreign ]; then echo "KILN-FOREIGN"; echo "KILN-END"; return 0; fi
  if [ "$kiln_k" = nodir ]; then echo "KILN-NODIR"; echo "KILN-END"; return 0; fi
  eval "kiln_x=\\$kiln_e_$1"
  printf 'KILN-EXIT %s\\n' "$kiln_x"
  for kiln_f in log bb; do
    kiln_listed 4 "$kiln_tmp/$1.$kiln_f" || kiln_alone "$kiln_tmp/$1.$kiln_f"
    eval "kiln_sz=\\$kiln_s_$1_$kiln_f"
    if [ "$kiln_f" = log ]; then kiln_o=$3; else kiln_o=$4; fi
    echo "KILN-FILE $kiln_f $kiln_sz $kiln_o $kiln_wn"
  done
  eval "kiln_x=\\$kiln_p_$1"
  echo "KILN-PROC $kiln_x"
  echo "KILN-END"
}`;

/** A job's three lines of the read script (passes 1, 2 and 3), named by `i`, unique in its script. */
interface JobLines {
  req: ReadRequest;
  lines: [exit: string, job: string, report: string];
}

function jobLines(r: ReadRequest, i: number): JobLines {
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
  if (r.knownProcess && !PROCESS_ID.test(r.knownProcess)) throw new InvalidInputError(`known process ${JSON.stringify(r.knownProcess)} is not boot id:pid:start time`);
  return {
    req: r,
    lines: [
      `kiln_exit ${i} ${remoteDirShellWord(r.jobDir)} ${shQuote(r.owner ?? "")} && set -- "$@" "$kiln_d/progress.log" "$kiln_d/badblocks.txt"`,
      `[ "$kiln_k_${i}" = ok ] && { kiln_job ${i} ${r.logOffset} ${r.bbOffset} ${r.maxBytes} ${shQuote(r.knownProcess ?? "")}; set -- "$@" "$kiln_tmp/${i}.log" "$kiln_tmp/${i}.bb"; }`,
      `kiln_report ${i} ${shQuote(r.key)} ${r.logOffset} ${r.bbOffset}`,
    ],
  };
}

function readScript(jobs: readonly JobLines[]): string {
  const pass = (n: 0 | 1 | 2) => jobs.map((j) => j.lines[n]).join("\n");
  return `${PREAMBLE}
kiln_boot=""; read -r kiln_boot 2>/dev/null < /proc/sys/kernel/random/boot_id
kiln_tmp=$(mktemp -d 2>/dev/null) || { kiln_tmp="/tmp/kiln-read.$$"; mkdir -m 700 "$kiln_tmp" || exit 1; }
trap 'rm -rf "$kiln_tmp"' EXIT
${STATE_FN}
${READ_FNS}
set --
${pass(0)}
: > "$kiln_tmp/sizes"
[ $# -gt 0 ] && wc -c "$@" > "$kiln_tmp/sizes" 2>/dev/null
exec 3< "$kiln_tmp/sizes"
set --
${pass(1)}
: > "$kiln_tmp/lengths"
[ $# -gt 0 ] && wc -c "$@" > "$kiln_tmp/lengths" 2>/dev/null
exec 4< "$kiln_tmp/lengths"
${pass(2)}
echo "KILN-DATA"
[ $# -gt 0 ] && cat "$@"
echo
times > "$kiln_tmp/times"
{ read -r kiln_t1 kiln_t2; read -r kiln_t3 kiln_t4; } < "$kiln_tmp/times"
echo "KILN-CPU $kiln_t1 $kiln_t2 $kiln_t3 $kiln_t4"
echo "KILN-DONE"
`;
}

/**
 * The read scripts for these jobs, as few as fit: a script reaches the host as one argument of
 * `sh -c`, which Linux caps at 128 KiB (MAX_ARG_STRLEN); each of these stays under `maxChars`
 * (a 240-bay host's jobs need two or three).
 */
export function buildReadScripts(reqs: readonly ReadRequest[], maxChars = 48 * 1024): { reqs: ReadRequest[]; script: string }[] {
  const base = readScript([]).length;
  const batches: JobLines[][] = [];
  let size = base;
  reqs.forEach((r, i) => {
    const job = jobLines(r, i + 1);
    const own = job.lines.reduce((n, l) => n + l.length + 1, 0); // and its newline in each pass
    const last = batches[batches.length - 1];
    if (last && size + own <= maxChars) {
      last.push(job);
      size += own;
    } else {
      batches.push([job]);
      size = base + own;
    }
  });
  return batches.map((b) => ({ reqs: b.map((j) => j.req), script: readScript(b) }));
}

/** One script that reports every requested job: new log and bad-block bytes, exit status, liveness. */
export function buildReadScript(reqs: readonly ReadRequest[]): string {
  return readScript(reqs.map((r, i) => jobLines(r, i + 1)));
}

/** The jobs of a read answer by key, and the CPU time the script took on the host when it said. */
export interface ReadAnswer extends Map<string, JobRead> {
  /** User + system time of the script and its children on the host (`times`), in ms. */
  hostCpuMs?: number;
}

/** `times` prints `0m0.012s` (or `1m2.5s`) per figure: the sum in ms, or undefined when unreadable. */
function cpuMs(figures: string[]): number | undefined {
  let ms = 0;
  for (const f of figures) {
    const m = /^(\d+)m(\d+(?:\.\d+)?)s$/.exec(f);
    if (!m) return undefined;
    ms += (Number(m[1]) * 60 + Number(m[2])) * 1000;
  }
  return figures.length === 4 ? ms : undefined;
}

/**
 * Parses buildReadScript's output. Only jobs whose report is complete (its block up to KILN-END and
 * all of its bytes) are in the map: a cut-off answer loses the jobs it cut, never half of one.
 */
export function parseReadOutput(buf: Buffer): ReadAnswer {
  const blocks: { key: string; job: JobRead; files: { name: "log" | "bb"; size: number | null; offset: number; n: number }[] }[] = [];
  let at = 0;
  const line = (): string | null => {
    const nl = buf.indexOf(0x0a, at);
    if (nl < 0) return null;
    const text = buf.toString("latin1", at, nl);
    at = nl + 1;
    return text;
  };
  const out: ReadAnswer = new Map<string, JobRead>();
  for (;;) {
    const head = line();
    if (head === "KILN-DATA") break;
    if (head === null || !head.startsWith("KILN-JOB ")) return out;
    const job: JobRead = { found: true, foreign: false, log: null, bb: null, exit: null, pgid: null, alive: false, bbAlive: false, process: null };
    const files: (typeof blocks)[number]["files"] = [];
    for (;;) {
      const l = line();
      if (l === null) return out;
      const f = l.split(" ");
      if (l === "KILN-END") break;
      if (l === "KILN-NODIR") job.found = false;
      else if (l === "KILN-FOREIGN") job.foreign = true;
      else if (f[0] === "KILN-FILE" && f.length === 5 && (f[1] === "log" || f[1] === "bb")) {
        const n = Number(f[4]);
        const offset = Number(f[3]);
        if (!Number.isSafeInteger(n) || n < 0 || !Number.isSafeInteger(offset)) return out;
        files.push({ name: f[1], size: f[2] === "-" ? null : Number(f[2]), offset, n });
      } else if (l.startsWith("KILN-EXIT :")) job.exit = l.slice("KILN-EXIT :".length).trim();
      else if (f[0] === "KILN-PROC") {
        job.pgid = f[1] && /^\d+$/.test(f[1]) ? Number(f[1]) : null;
        job.alive = f[2] === "1";
        job.bbAlive = f[3] === "1";
        job.process = f[4] && PROCESS_ID.test(f[4]) ? f[4] : null;
      } else if (l !== "KILN-EXIT -") return out;
    }
    blocks.push({ key: head.slice("KILN-JOB ".length), job, files });
  }
  // The bytes, in the order of the blocks; a job whose bytes did not all arrive is left out.
  for (const { key, job, files } of blocks) {
    for (const f of files) {
      if (at + f.n > buf.length) return out;
      if (f.size !== null) job[f.name] = { size: f.size, offset: f.offset, data: Buffer.from(buf.subarray(at, at + f.n)), truncated: f.size < f.offset };
      at += f.n;
    }
    out.set(key, job);
  }
  if (buf[at] === 0x0a) at++;
  const cpu = line();
  if (cpu?.startsWith("KILN-CPU ")) out.hostCpuMs = cpuMs(cpu.split(" ").slice(1));
  return out;
}

