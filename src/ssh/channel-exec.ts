// One command on one session channel of an established ssh2 connection: stdin in, stdout/stderr
// collected as Buffers (binary safe), exit code or signal out. Aborting kills and closes the channel.
import type { Client, ClientChannel } from "ssh2";
import { DEFAULT_MAX_OUTPUT_BYTES, HostError, type ExecResult } from "./port.js";

/**
 * The server refused to open the session channel (SSH_MSG_CHANNEL_OPEN_FAILURE: sshd at MaxSessions,
 * or unable to start a session under load). The channel never opened, so the command never ran:
 * running it again cannot run it twice.
 */
export class ChannelRefused extends HostError {
  constructor(message: string) {
    super(message, false, "exec");
    this.name = "ChannelRefused";
  }
}

/** ssh2 reports a refused open as "(SSH) Channel open failure: …" with the protocol's reason code. */
function isOpenRefusal(err: Error): boolean {
  return typeof (err as { reason?: unknown }).reason === "number" || err.message.startsWith("(SSH) Channel open failure");
}

export interface ChannelHooks {
  /** The server accepted the channel. */
  opened(): void;
  /** Called exactly once: the channel closed, or it never opened (`wasOpen` false). */
  closed(wasOpen: boolean): void;
  /** The error to reject with when `signal` aborts. */
  abortError(): HostError;
}

export function execOnChannel(
  client: Client,
  target: string,
  script: string,
  stdin: Buffer | string | undefined,
  signal: AbortSignal,
  hooks: ChannelHooks,
  maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    let channel: ClientChannel | null = null;
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      fn();
    };
    const shut = (ch: ClientChannel): void => {
      try {
        killRemote(ch);
      } catch {
        // the channel may already be gone
      }
      ch.close();
    };
    const onAbort = (): void => {
      settle(() => reject(hooks.abortError()));
      if (channel) shut(channel);
    };
    signal.addEventListener("abort", onAbort, { once: true });

    const onChannel = (err: Error | undefined, ch: ClientChannel): void => {
      if (err) {
        hooks.closed(false);
        const message = `cannot open a session channel on ${target}: ${err.message}`;
        settle(() => reject(isOpenRefusal(err) ? new ChannelRefused(message) : new HostError(message, false, "exec")));
        return;
      }
      channel = ch;
      hooks.opened();
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let code: number | null | undefined;
      let exitSignal: string | null = null;
      let channelError = "";
      ch.on("error", (e: Error) => (channelError = `: ${e.message}`)); // close follows; never an uncaught throw
      // Output is kept until the command ends: past the limit the command is stopped, not buffered on.
      let held = 0;
      const take = (into: Buffer[]) => (chunk: Buffer) => {
        if (settled) return;
        held += chunk.length;
        if (held <= maxOutputBytes) return void into.push(chunk);
        stdout.length = 0;
        stderr.length = 0;
        settle(() => reject(new HostError(`a command on ${target} printed more than ${maxOutputBytes} bytes; stopped`, false, "exec")));
        shut(ch);
      };
      ch.on("data", take(stdout));
      ch.stderr.on("data", take(stderr));
      ch.on("exit", (exitCode: number | null, sig?: string) => {
        code = exitCode ?? null;
        exitSignal = sig ?? null;
      });
      ch.on("close", () => {
        hooks.closed(true);
        if (code === undefined) {
          settle(() => reject(new HostError(`connection to ${target} lost while running a command${channelError}`, false, "unreachable")));
        } else {
          const result = { code, signal: exitSignal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) };
          settle(() => resolve(result));
        }
      });
      if (settled) return shut(ch); // aborted while the channel was opening
      if (stdin === undefined) ch.end();
      else ch.end(stdin);
    };

    try {
      client.exec(script, onChannel);
    } catch (err) {
      hooks.closed(false);
      const message = err instanceof Error ? err.message : String(err);
      settle(() => reject(new HostError(`ssh connection to ${target} is not usable: ${message}`, false, "unreachable")));
    }
  });
}

interface ChannelInternals {
  outgoing?: { id: number; state: string };
  _client?: { _protocol?: { signal(channelId: number, signal: string): void } };
}

/**
 * Asks sshd to SIGKILL the command's process group: sshd keeps a closed session (and its MaxSessions
 * slot, so we keep our channel slot too) until the command ends. ssh2's Channel.signal() is a no-op
 * once we have sent EOF on stdin (it checks `writable`), so past that we send the same request
 * through the connection's protocol object. OpenSSH honours it only under privilege separation:
 * for root logins it logs "session signalling requires privilege separation" and the command runs
 * on; long commands that may need killing belong in a detached job with its own pid.
 */
function killRemote(ch: ClientChannel): void {
  if (ch.writable) return void ch.signal("KILL");
  const internals = ch as unknown as ChannelInternals;
  const protocol = internals._client?._protocol;
  const state = internals.outgoing?.state;
  if ((state === "open" || state === "eof") && protocol && internals.outgoing) {
    protocol.signal(internals.outgoing.id, "KILL");
  }
}
