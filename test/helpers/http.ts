// fetch for the tests' API clients. Node's fetch keeps connections alive; on a loaded machine the
// server may close an idle one just as the client sends on it, and the request fails with
// ECONNRESET before any answer. Browsers retry a request that failed that way on a reused
// connection; so do the tests (twice at most), instead of failing on the machine's timing.
const STALE = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"]);

function isStaleConnection(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } }).cause;
  return err instanceof TypeError && cause?.code !== undefined && STALE.has(cause.code);
}

export async function testFetch(url: string, init?: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (err) {
      if (attempt >= 3 || !isStaleConnection(err)) throw err;
    }
  }
}
