// The one narrow port to a storage host. Everything that crosses SSH goes through this interface:
// `exec` is implemented once with ssh2 (ssh/connection.ts); the verbs the stages need (launch, read,
// signal, cancel, smart) are each written once, script and parser, in remote/verbs.ts, on top of it.
// Scripts are built from argv arrays and POSIX single-quoting: no user string reaches a shell unquoted.
import type { JobRead, ReadRequest } from "../remote/scripts.js";
import type { LaunchOptions, LaunchResult } from "../remote/launch-script.js";
import type { SmartRead } from "../smart/commands.js";
import type { CheckRequest } from "../remote/check-script.js";
import type { CommandOutcome, SmartReading } from "../smart/read.js";
import type { FarmReading } from "../smart/farm.js";

export interface ExecOptions {
  /** Bytes written to the command's stdin, then stdin is closed. */
  stdin?: Buffer | string;
  /** Kill the channel and reject after this long. */
  timeoutMs?: number;
  /** Kill the channel and reject once stdout plus stderr exceed this many bytes (default 64 MiB). */
  maxOutputBytes?: number;
}

/** What one command may print before Kiln stops it: output is held in memory until the command ends. */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export interface ExecResult {
  /** Exit code, or null when the remote command ended by a signal. */
  code: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: Buffer;
}

/** An error talking to a host. `permanent` says whether a retry can help. */
export class HostError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly kind: "unreachable" | "auth" | "hostkey" | "timeout" | "exec" = "exec",
  ) {
    super(message);
    this.name = "HostError";
  }
}

export interface ExecPort {
  /** Runs `script` on the host (the ssh2 implementation: with the login shell of the host's user). */
  exec(script: string, opts?: ExecOptions): Promise<ExecResult>;
}

/** What a stage asks of a host. A thrown HostError means the answer was lost, never "it did not happen". */
export interface HostVerbs {
  /**
   * Starts badblocks detached in its job dir, after the host-side checks (the confirmed drive, not in
   * use, the device's host lock), or finds this run already started there; never adopts another run's.
   */
  launch(o: LaunchOptions): Promise<LaunchResult>;
  /** New log and bad-block bytes, exit status and liveness of every requested job, in one round trip. */
  read(reqs: readonly ReadRequest[]): Promise<Map<string, JobRead>>;
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
