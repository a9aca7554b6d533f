// The host port's verbs: each one is its host-side script, the exec that runs it, and the parser of
// what it printed, written once here. Stages, the reader and the guard call these; none of them
// builds a script or parses an answer of its own.
import type { ExecOptions, ExecPort, ExecResult } from "../ssh/port.js";
import type { ReadAnswer, ReadRequest } from "../remote/read-script.js";
import type { LaunchOptions, LaunchResult } from "../remote/launch-script.js";
import type { SmartRead } from "../smart/commands.js";
import type { CheckRequest } from "../remote/check-script.js";
import type { CommandOutcome, SmartReading } from "../smart/read.js";
import type { FarmReading } from "../smart/farm.js";
import { buildCancelScript, buildSignalScript, parseCancelOutput, parseSignalOutput } from "../remote/scripts.js";
import { buildReadScripts, parseReadOutput } from "../remote/read-script.js";
import { buildLaunchScript, parseLaunchOutput } from "../remote/launch-script.js";
import { selfTestAbortScript, selfTestStartScript, smartReadScript } from "../smart/commands.js";
import { parseFarmRead, parseSmartCommand, parseSmartRead } from "../smart/read.js";
import { buildCheckScript, parseCheckOutput } from "../remote/check-script.js";

/** What a stage asks of a host. A thrown HostError means the answer was lost, never "it did not happen". */
export interface HostVerbs {
  /**
   * Starts badblocks detached in its job dir, after the host-side checks (the confirmed drive, not in
   * use, the device's host lock), or finds this run already started there; never adopts another run's.
   */
  launch(o: LaunchOptions): Promise<LaunchResult>;
  /** New log and bad-block bytes, exit status and liveness of every requested job, in one round trip. */
  read(reqs: readonly ReadRequest[]): Promise<ReadAnswer>;
  /** Stops (STOP) or continues (CONT) a job's process group, if it still is this job's. */
  signal(jobDir: string, sig: "STOP" | "CONT"): Promise<"sent" | "none" | null>;
  /** TERM, then KILL, the job's process group; null when the answer was unreadable. */
  cancel(jobDir: string): Promise<"gone" | "still-alive" | "none" | null>;
  /** One smartctl reading of the device. */
  smart(device: string, what?: SmartRead): Promise<SmartReading>;
  /** Seagate's FARM log (smartctl -l farm), or why it is not available. */
  farm(device: string): Promise<FarmReading>;
  /** Starts a short or long self-test, or aborts the running one. */
  smartCommand(device: string, command: "short" | "long" | "abort"): Promise<CommandOutcome>;
  /** Read-only pattern checks of block ranges: the bad blocks found, or null when a check did not run to its end. */
  check(o: CheckRequest): Promise<number[] | null>;
}

/** A host: exec (POSIX sh scripts) and the verbs built on it. */
export interface HostPort extends ExecPort, HostVerbs {}

/** Runs a POSIX sh script on the host (under `sh -c`). */
export type ShExec = (script: string, opts?: ExecOptions) => Promise<ExecResult>;

const SMART_COMMAND = { short: (d: string) => selfTestStartScript(d, "short"), long: (d: string) => selfTestStartScript(d, "long"), abort: selfTestAbortScript };

export function hostVerbs(exec: ShExec): HostVerbs {
  return {
    async launch(o) {
      const res = await exec(buildLaunchScript(o), { timeoutMs: 60_000 });
      const launched = parseLaunchOutput(res.stdout);
      if (launched.kind !== "failed" || launched.reason === "locked") return launched;
      const why = res.stderr.toString("utf8").trim().slice(0, 300);
      return { kind: "failed", reason: `${launched.reason}${why ? ` (${why})` : ""}` };
    },
    async read(reqs) {
      // One script when they fit (nearly always), else a few in turn; the host's CPU time is their sum.
      const out: ReadAnswer = new Map();
      for (const batch of buildReadScripts(reqs)) {
        // Two files of at most maxBytes per job, plus the framing lines.
        const maxOutputBytes = batch.reqs.reduce((n, r) => n + 2 * r.maxBytes + 4096, 65_536);
        const answer = parseReadOutput((await exec(batch.script, { timeoutMs: 60_000, maxOutputBytes })).stdout);
        for (const [key, job] of answer) out.set(key, job);
        if (answer.hostCpuMs !== undefined) out.hostCpuMs = (out.hostCpuMs ?? 0) + answer.hostCpuMs;
      }
      return out;
    },
    async signal(jobDir, sig) {
      return parseSignalOutput((await exec(buildSignalScript(jobDir, sig), { timeoutMs: 30_000 })).stdout);
    },
    async cancel(jobDir) {
      return parseCancelOutput((await exec(buildCancelScript(jobDir), { timeoutMs: 60_000 })).stdout);
    },
    async smart(device, what = "all") {
      return parseSmartRead(await exec(smartReadScript(device, what), { timeoutMs: 180_000 }));
    },
    async farm(device) {
      return parseFarmRead(await exec(smartReadScript(device, "farm"), { timeoutMs: 180_000 }));
    },
    async smartCommand(device, command) {
      return parseSmartCommand(await exec(SMART_COMMAND[command](device), { timeoutMs: 90_000 }));
    },
    async check(o) {
      return parseCheckOutput((await exec(buildCheckScript(o), { timeoutMs: 600_000 })).stdout);
    },
  };
}
