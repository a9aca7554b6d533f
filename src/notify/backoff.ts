// When a failed notification is tried again: exponential backoff from a base, capped. Pure.

export interface BackoffPolicy {
  /** Delay after the first failed attempt. */
  baseMs: number;
  /** The longest delay (about 5 minutes in production). */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 15_000, capMs: 300_000 };

/** Delay before the next attempt after `attempts` failed ones (1 → base, 2 → 2×base, … up to cap). */
export function backoffMs(attempts: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const n = Math.max(1, Math.floor(attempts));
  const exp = policy.baseMs * 2 ** Math.min(n - 1, 40);
  return Math.min(policy.capMs, exp);
}
