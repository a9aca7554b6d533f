// Writes that meet a foreign write lock wait without blocking the event loop: the connection's own
// busy_timeout is short, and these helpers retry SQLITE_BUSY on timers until the lock is gone.

export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a write (sync, or async around sync writes), retrying while the database is busy (up to
 * `maxWaitMs`, default 10 min). `onBusy` hears of the first busy answer (to log it once).
 */
export async function retryBusy<T>(write: () => T | Promise<T>, maxWaitMs = 600_000, onBusy?: (err: unknown) => void): Promise<T> {
  const until = Date.now() + maxWaitMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await write();
    } catch (err) {
      if (!isBusy(err) || Date.now() >= until) throw err;
      if (delay === 50) onBusy?.(err);
      await sleep(delay);
    }
  }
}
