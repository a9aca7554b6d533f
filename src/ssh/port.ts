// The one narrow port to a storage host. Everything that crosses SSH goes through this interface:
// `exec` is implemented once with ssh2 (ssh/connection.ts); the verbs the stages need (launch, read,
// signal, cancel, smart) are each written once, script and parser, in hosts/verbs.ts, on top of it.
// Scripts are built from argv arrays and POSIX single-quoting: no user string reaches a shell unquoted.

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
