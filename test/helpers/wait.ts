// Waiting for state in tests: poll a condition until it holds, with a generous deadline. It returns
// as soon as the condition holds, so a long deadline costs nothing when all is well; a test never
// sleeps and then asserts (CONTRIBUTING.md, "Tests that never lie").

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface UntilOptions {
  /** Give up after this long (default 120 s: a loaded 2-core machine). */
  timeoutMs?: number;
  /** Pause between two reads (default 200 ms). */
  everyMs?: number;
}

type Falsy = undefined | null | false | 0 | "";

function lastSeen(v: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

/** Reads until `ok` holds for what `read` gives, and returns that. */
export function until<T>(what: string, read: () => T | Promise<T>, opts: UntilOptions & { ok: (v: T) => boolean }): Promise<T>;
/** Reads until `read` gives something truthy, and returns that. */
export function until<T>(what: string, read: () => T | Falsy | Promise<T | Falsy>, opts?: UntilOptions): Promise<T>;
export async function until<T>(
  what: string,
  read: () => T | Promise<T>,
  opts: UntilOptions & { ok?: (v: T) => boolean } = {},
): Promise<T> {
  const { timeoutMs = 120_000, everyMs = 200, ok = (v: T) => Boolean(v) } = opts;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${lastSeen(v)}`);
    await sleep(everyMs);
  }
}
