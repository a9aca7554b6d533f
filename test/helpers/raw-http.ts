// HTTP requests with every header under the test's control (Host, Origin, Sec-Fetch-Site, raw
// cookies) and a chosen loopback source address (127.0.0.N), which fetch cannot do.
import http from "node:http";

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface RawOptions {
  headers?: Record<string, string>;
  form?: Record<string, string>;
  json?: unknown;
  /** Source address of the connection, e.g. 127.0.0.2. */
  from?: string;
}

export function rawRequest(base: string, method: string, path: string, opts: RawOptions = {}): Promise<RawResponse> {
  const url = new URL(base);
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined;
  if (opts.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(opts.form).toString();
  } else if (opts.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(opts.json);
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path, headers, localAddress: opts.from, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** A token a page carries: a hidden form field (`_csrf`) or a meta tag (`csrf-token`). */
export function pageToken(html: string, name: string): string | undefined {
  return (new RegExp(`name="${name}" value="([^"]*)"`).exec(html) ?? new RegExp(`name="${name}" content="([^"]*)"`).exec(html))?.[1];
}

/** A cookie jar over rawRequest: one "browser" at one source address. */
export class RawClient {
  cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    readonly from?: string,
  ) {}

  async req(method: string, path: string, opts: Omit<RawOptions, "from"> = {}): Promise<RawResponse> {
    const headers = { ...opts.headers };
    if (this.cookies.size && !headers.cookie) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await rawRequest(this.base, method, path, { ...opts, headers, from: this.from });
    for (const c of res.headers["set-cookie"] ?? []) {
      const [kv] = c.split(";");
      const i = kv!.indexOf("=");
      const value = kv!.slice(i + 1);
      if (value) this.cookies.set(kv!.slice(0, i), value);
      else this.cookies.delete(kv!.slice(0, i));
    }
    return res;
  }

  /** The anonymous form token of /login or /setup (double-submit cookie). */
  async formToken(path: "/login" | "/setup"): Promise<string> {
    const page = await this.req("GET", path);
    const token = pageToken(page.text, "_csrf");
    if (token === undefined) throw new Error(`no _csrf on ${path} (HTTP ${page.status})`);
    return token;
  }

  async login(username: string, password: string, headers: Record<string, string> = {}): Promise<RawResponse> {
    const _csrf = await this.formToken("/login");
    return this.req("POST", "/login", { form: { username, password, _csrf }, headers });
  }

  /** The session's CSRF token, from the dashboard's meta tag. */
  async csrf(): Promise<string> {
    const page = await this.req("GET", "/settings");
    const token = pageToken(page.text, "csrf-token");
    if (token === undefined) throw new Error(`no csrf-token meta (HTTP ${page.status})`);
    return token;
  }

  async api(method: string, path: string, json?: unknown): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (method !== "GET") headers["x-csrf-token"] = await this.csrf();
    const res = await this.req(method, path, { json: json ?? (method === "GET" ? undefined : {}), headers });
    let body: any = res.text;
    try {
      body = JSON.parse(res.text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body };
  }
}
