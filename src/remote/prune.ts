// The host side of retention: removes the job directories of finished jobs, and measures what the
// work dir's jobs/ holds. Pure builder and parser; retention/sweeper.ts runs it through the host port.
//
// Kiln only names directories of jobs whose status is terminal (they can never run again), and the
// script refuses each one again on the host, keeping the directory, when:
//   alive    a live process still belongs to one of the job's directories (kiln_state)
//   foreign  the directory's `device` file names another device than the job's (not this job's dir)
//   unread   the last run's bad-block list is longer than the bytes Kiln has stored from it
// A job's directories are its base (surface/run.ts jobDirFor) and the `-r…` segments a resume
// made next to it; both are removed together or not at all.
import { remoteDirShellWord, shQuote, validateDevicePath } from "../shell/quote.js";
import { PREAMBLE, STATE_FN } from "./scripts.js";

export interface PruneRequest {
  /** Echoed back to match the answer to the request. */
  key: string;
  /** The job's base directory on the host. */
  baseDir: string;
  /** The device the job tested (its dirs' `device` file names it). */
  device: string;
  /** The last run's directory and how many bytes of its badblocks.txt are in the database. */
  lastDir: string | null;
  bbOffset: number;
}

export type PruneOutcome = "removed" | "absent" | "alive" | "foreign" | "unread";

export interface PruneAnswer {
  outcomes: Map<string, PruneOutcome>;
  /** What `<workDir>/jobs` holds after the removal: KiB (du -sk) and the number of directories. */
  usage: { kib: number; dirs: number } | null;
}

const PRUNE_FN = `kiln_prune() {
  kiln_key=$1; kiln_base=$2; kiln_dev=$3; kiln_last=$4; kiln_bbo=$5
  if [ -n "$kiln_last" ] && [ -f "$kiln_last/badblocks.txt" ]; then
    kiln_size=$(wc -c < "$kiln_last/badblocks.txt")
    if [ "$kiln_size" -gt "$kiln_bbo" ]; then echo "KILN-PRUNE $kiln_key unread"; return 0; fi
  fi
  kiln_found=0
  for kiln_dir in "$kiln_base" "$kiln_base"-r*; do
    [ -d "$kiln_dir" ] || continue
    kiln_found=1
    if [ -s "$kiln_dir/device" ]; then
      read -r kiln_named < "$kiln_dir/device" || :
      if [ "$kiln_named" != "$kiln_dev" ]; then echo "KILN-PRUNE $kiln_key foreign"; return 0; fi
    fi
    kiln_state
    if [ "$KILN_ALIVE" = 1 ]; then echo "KILN-PRUNE $kiln_key alive"; return 0; fi
  done
  if [ "$kiln_found" = 0 ]; then echo "KILN-PRUNE $kiln_key absent"; return 0; fi
  for kiln_dir in "$kiln_base" "$kiln_base"-r*; do
    [ -d "$kiln_dir" ] && rm -rf -- "$kiln_dir"
  done
  echo "KILN-PRUNE $kiln_key removed"
}`;

/** One script for all of a host's due jobs; `jobsDir` is the work dir's jobs/ (measured at the end). */
export function buildPruneScript(jobsDir: string, reqs: readonly PruneRequest[]): string {
  const calls = reqs.map((r) => {
    if (!/^[\w.-]+$/.test(r.key)) throw new Error(`bad prune key ${r.key}`);
    if (!r.baseDir.startsWith(`${jobsDir.replace(/\/+$/, "")}/`)) throw new Error(`${r.baseDir} is not under ${jobsDir}`);
    const last = r.lastDir ? remoteDirShellWord(r.lastDir) : "''";
    const bbo = Number.isSafeInteger(r.bbOffset) && r.bbOffset >= 0 ? r.bbOffset : 0;
    return `kiln_prune ${r.key} ${remoteDirShellWord(r.baseDir)} ${shQuote(validateDevicePath(r.device))} ${last} ${bbo}`;
  });
  const jobs = remoteDirShellWord(jobsDir);
  return `${PREAMBLE}
${STATE_FN}
${PRUNE_FN}
${calls.join("\n")}
if [ -d ${jobs} ]; then
  echo "KILN-PRUNE-USAGE $(du -sk ${jobs} 2>/dev/null | cut -f1) $(find ${jobs} -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l)"
fi
`;
}

const OUTCOMES: readonly PruneOutcome[] = ["removed", "absent", "alive", "foreign", "unread"];

export function parsePruneOutput(stdout: Buffer | string): PruneAnswer {
  const outcomes = new Map<string, PruneOutcome>();
  let usage: PruneAnswer["usage"] = null;
  for (const line of stdout.toString().split("\n")) {
    const m = /^KILN-PRUNE (\S+) (\w+)$/.exec(line.trim());
    if (m && (OUTCOMES as readonly string[]).includes(m[2]!)) outcomes.set(m[1]!, m[2] as PruneOutcome);
    const u = /^KILN-PRUNE-USAGE (\d+) +(\d+)$/.exec(line.trim());
    if (u) usage = { kib: Number(u[1]), dirs: Number(u[2]) };
  }
  return { outcomes, usage };
}
