// HostPort over one reused ssh2 connection. Connects lazily on the first exec (concurrent first execs
// share the attempt), pins the host key at first connect, caps open channels with a FIFO semaphore,
// and after a drop reconnects on the next exec: one attempt per call, backoff is the caller's.
import ssh2 from "ssh2";
import type { Client } from "ssh2";
import type { Logger } from "pino";
import { ChannelRefused, execOnChannel } from "./channel-exec.js";
import { badKeyError, connectError } from "./connect-error.js";
import { sha256Fingerprint } from "./fingerprint.js";
import { HostError, type ExecOptions, type ExecResult, type ExecPort } from "./port.js";
import { AbortedWait, Semaphore } from "./semaphore.js";

/** OpenSSH's default MaxSessions: sshd refuses the 11th session channel on one connection. */
const SSHD_DEFAULT_MAX_SESSIONS = 10;

/** How long a command without a timeout keeps asking for a channel the host refuses to open. */
const REFUSED_RETRY_MS = 120_000;
/** 200 ms doubling to 5 s, each wait drawn from its upper half: refused callers do not all come back at once. */
const refusedBackoffMs = (attempt: number) => {
  const cap = Math.min(5000, 200 * 2 ** attempt);
  return cap / 2 + Math.random() * (cap / 2);
};

export interface SshHostOptions {
  address: string;
  port: number;
  username: string;
  privateKey: string | Buffer;
  /** SHA256:… fingerprint the host must present; null = accept and pin whatever the first connect sees. */
  pinnedFingerprint: string | null;
  connectTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** At most this many channels open at once (≤ 10). */
  maxChannels?: number;
  log?: Logger;
}

export type DisconnectListener = (reason: HostError) => void;

export class SshHost implements ExecPort {
  readonly target: string;
  private client: Client | null = null;
  private dialing: { client: Client; ready: Promise<Client> } | null = null;
  private trusted: string | null;
  private readonly endedByUs = new WeakSet<Client>();
  private readonly slots: Semaphore;
  private open = 0;
  private peak = 0;
  private readonly disconnectListeners = new Set<DisconnectListener>();

  constructor(private readonly opts: SshHostOptions) {
    const maxChannels = opts.maxChannels ?? 8;
    if (maxChannels > SSHD_DEFAULT_MAX_SESSIONS) {
      throw new RangeError(`maxChannels ${maxChannels} exceeds sshd's default MaxSessions (${SSHD_DEFAULT_MAX_SESSIONS})`);
    }
    this.slots = new Semaphore(maxChannels);
    this.trusted = opts.pinnedFingerprint;
    this.target = `${opts.username}@${opts.address}:${opts.port}`;
  }

  /** Connects once, returns the host key fingerprint and closes (the add-host flow). */
  static async probe(opts: Omit<SshHostOptions, "maxChannels">): Promise<{ fingerprint: string }> {
    const host = new SshHost({ ...opts, maxChannels: 1 });
    try {
      return { fingerprint: await host.connect() };
    } finally {
      await host.close();
    }
  }

  /** The fingerprint this object trusts: the pin, or the key recorded at first connect. */
  get hostFingerprint(): string | null {
    return this.trusted;
  }

  get isConnected(): boolean {
    return this.client !== null;
  }

  get openChannels(): number {
    return this.open;
  }

  get peakChannels(): number {
    return this.peak;
  }

  /** Called when an established connection drops (not when close() ends it). Returns an unsubscribe. */
  onDisconnect(listener: DisconnectListener): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  /** Connects now (or reuses the connection) and returns the verified host key fingerprint. */
  async connect(): Promise<string> {
    await this.ensureClient();
    if (this.trusted === null) throw new HostError(`no host key recorded for ${this.target}`, false, "hostkey");
    return this.trusted;
  }

  /**
   * Runs `script` on a channel of this connection. A channel the server refused to open (the
   * command never ran) is asked for again with backoff, within the command's timeout (or
   * REFUSED_RETRY_MS without one); anything else is the caller's to judge.
   */
  async exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const abort = new AbortController();
    const timeoutError = (): HostError =>
      new HostError(`command on ${this.target} timed out after ${opts.timeoutMs} ms`, false, "timeout");
    const timer = opts.timeoutMs === undefined ? null : setTimeout(() => abort.abort(), opts.timeoutMs);
    const giveUpAt = Date.now() + (opts.timeoutMs ?? REFUSED_RETRY_MS);
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.execOnce(script, opts, abort.signal, timeoutError);
        } catch (err) {
          const wait = refusedBackoffMs(attempt);
          if (!(err instanceof ChannelRefused) || Date.now() + wait >= giveUpAt) throw err;
          if (attempt === 0) this.opts.log?.warn({ target: this.target, err: err.message }, "the host refused a session channel (nothing ran); asking again");
          await untilAborted(new Promise((r) => setTimeout(r, wait)), abort.signal, timeoutError);
        }
      }
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  private async execOnce(script: string, opts: ExecOptions, signal: AbortSignal, timeoutError: () => HostError): Promise<ExecResult> {
    let release: (() => void) | null = null;
    try {
      release = await this.slots.acquire(signal).catch((err: unknown) => {
        throw err instanceof AbortedWait ? timeoutError() : err;
      });
      const client = await untilAborted(this.ensureClient(), signal, timeoutError);
      const slot = release;
      release = null; // from here the channel's close gives the slot back
      return await execOnChannel(client, this.target, script, opts.stdin, signal, {
        opened: () => {
          this.open += 1;
          this.peak = Math.max(this.peak, this.open);
        },
        closed: (wasOpen) => {
          if (wasOpen) this.open -= 1;
          slot();
        },
        abortError: timeoutError,
      }, opts.maxOutputBytes);
    } finally {
      release?.();
    }
  }

  /** Ends the connection (and any connect in flight). A later exec connects again. */
  async close(): Promise<void> {
    const clients = [this.client, this.dialing?.client].filter((c): c is Client => c !== null && c !== undefined);
    this.client = null;
    await Promise.all(
      clients.map(
        (client) =>
          new Promise<void>((resolve) => {
            this.endedByUs.add(client);
            client.once("close", () => resolve());
            setTimeout(resolve, 2000).unref(); // never hang a shutdown on a dead socket
            client.end();
          }),
      ),
    );
  }

  private ensureClient(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    if (!this.dialing) {
      const client = new ssh2.Client();
      const ready = this.dial(client).finally(() => {
        if (this.dialing?.client === client) this.dialing = null;
      });
      this.dialing = { client, ready };
    }
    return this.dialing.ready;
  }

  private dial(client: Client): Promise<Client> {
    const log = this.opts.log;
    let hostKeyRejection: HostError | null = null;
    let lastError: HostError | null = null;
    return new Promise<Client>((resolve, reject) => {
      let ready = false;
      let settled = false;
      const fail = (err: HostError): void => {
        if (settled) return;
        settled = true;
        this.endedByUs.add(client);
        client.end();
        reject(err);
      };
      client.on("ready", () => {
        if (this.endedByUs.has(client)) return fail(new HostError(`connection to ${this.target} closed by Kiln`, false, "unreachable"));
        if (settled) return;
        settled = true;
        ready = true;
        this.client = client;
        log?.debug({ target: this.target, fingerprint: this.trusted }, "ssh connected");
        resolve(client);
      });
      client.on("error", (err) => {
        lastError = connectError(err, this.target, hostKeyRejection);
        if (!ready) fail(lastError);
      });
      client.on("close", () => {
        if (!ready) {
          const closedByUs = this.endedByUs.has(client);
          fail(lastError ?? new HostError(`connection to ${this.target} closed ${closedByUs ? "by Kiln" : "during setup"}`, false, "unreachable"));
          return;
        }
        if (this.client === client) this.client = null;
        if (this.endedByUs.has(client)) return;
        const reason = lastError ?? new HostError(`connection to ${this.target} closed`, false, "unreachable");
        log?.warn({ target: this.target, err: reason.message }, "ssh connection dropped");
        for (const listener of this.disconnectListeners) listener(reason);
      });
      try {
        client.connect({
          host: this.opts.address,
          port: this.opts.port,
          username: this.opts.username,
          privateKey: this.opts.privateKey,
          readyTimeout: this.opts.connectTimeoutMs ?? 20_000,
          keepaliveInterval: this.opts.keepaliveIntervalMs ?? 15_000,
          keepaliveCountMax: this.opts.keepaliveCountMax ?? 4,
          hostVerifier: (key: Buffer): boolean => {
            const offered = sha256Fingerprint(key);
            if (this.trusted !== null && offered !== this.trusted) {
              hostKeyRejection = new HostError(
                `host key of ${this.target} changed: expected ${this.trusted}, got ${offered}`,
                true,
                "hostkey",
              );
              return false;
            }
            this.trusted = offered;
            return true;
          },
        });
      } catch (err) {
        fail(badKeyError(err, this.target));
      }
    });
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, abortError: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}
