// A FIFO counting semaphore. SshHost uses one per connection so that no more than `limit` channels are
// ever open at once (OpenSSH refuses a session channel past MaxSessions, 10 by default).

export class AbortedWait extends Error {
  constructor() {
    super("wait for a free slot was abandoned");
    this.name = "AbortedWait";
  }
}

interface Waiter {
  grant: (release: () => void) => void;
  fail: (err: Error) => void;
}

export class Semaphore {
  private held = 0;
  private peakHeld = 0;
  private readonly queue: Waiter[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore limit must be ≥ 1, got ${limit}`);
  }

  get active(): number {
    return this.held;
  }

  get peak(): number {
    return this.peakHeld;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves with a release function once a slot is free; waiters are served in arrival order. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new AbortedWait());
    if (this.held < this.limit && this.queue.length === 0) return Promise.resolve(this.take());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(release);
        },
        fail: reject,
      };
      const onAbort = (): void => {
        const at = this.queue.indexOf(waiter);
        if (at >= 0) this.queue.splice(at, 1);
        reject(new AbortedWait());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  private take(): () => void {
    this.held += 1;
    this.peakHeld = Math.max(this.peakHeld, this.held);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= 1;
      const next = this.queue.shift();
      if (next) next.grant(this.take());
    };
  }
}
