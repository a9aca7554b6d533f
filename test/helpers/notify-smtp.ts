// A real SMTP server for the e-mail tests (the smtp-server package) on a fixed free 127.0.0.1 port,
// so it can go down and come back where Kiln expects it. It keeps every message it accepts, with
// the subject and the text/html parts decoded (quoted-printable, base64) for checking.
import { SMTPServer } from "smtp-server";
import { freePort } from "./testhost.js";

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  headers: Record<string, string>;
  subject: string;
  text: string;
  html: string;
}

export interface TestSmtp {
  readonly port: number;
  readonly url: string;
  readonly messages: ReceivedMail[];
  readonly running: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves with the matching messages once there are at least `count` of them. */
  waitFor(match: (m: ReceivedMail) => boolean, count?: number, timeoutMs?: number): Promise<ReceivedMail[]>;
}

function parseHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

function decodeQp(s: string): string {
  const bytes = s.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_m, h: string) => `%${h}`);
  return Buffer.from(decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, "%25")), "utf8").toString("utf8");
}

function decodeBody(body: string, encoding: string | undefined): string {
  if (encoding?.toLowerCase() === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (encoding?.toLowerCase() === "quoted-printable") return decodeQp(body);
  return body;
}

function decodeWords(s: string): string {
  return s.replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_m, enc: string, data: string) =>
    enc.toUpperCase() === "B" ? Buffer.from(data, "base64").toString("utf8") : decodeQp(data.replace(/_/g, " ")));
}

function split(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const sep = raw.slice(at).match(/^\r?\n\r?\n/)![0].length;
  return { headers: parseHeaders(raw.slice(0, at)), body: raw.slice(at + sep) };
}

export function parseMail(raw: string, from: string, to: string[]): ReceivedMail {
  const { headers, body } = split(raw);
  const parts: Record<string, string> = {};
  const boundary = /boundary="?([^";]+)"?/i.exec(headers["content-type"] ?? "")?.[1];
  const chunks = boundary ? body.split(`--${boundary}`).slice(1, -1) : [raw];
  for (const chunk of chunks) {
    const part = split(chunk.replace(/^\r?\n/, ""));
    const type = (part.headers["content-type"] ?? "text/plain").split(";")[0]!.trim();
    parts[type] = decodeBody(part.body.replace(/\r?\n$/, ""), part.headers["content-transfer-encoding"]);
  }
  return { from, to, raw, headers, subject: decodeWords(headers.subject ?? ""), text: parts["text/plain"] ?? "", html: parts["text/html"] ?? "" };
}

export async function startTestSmtp(opts: { start?: boolean } = {}): Promise<TestSmtp> {
  const port = await freePort();
  const messages: ReceivedMail[] = [];
  let server: SMTPServer | null = null;
  const smtp: TestSmtp = {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get running() {
      return server !== null;
    },
    async start() {
      if (server) return;
      const s = new SMTPServer({
        authOptional: true,
        disabledCommands: ["STARTTLS", "AUTH"],
        logger: false,
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => {
            const env = session.envelope;
            const from = env.mailFrom ? env.mailFrom.address : "";
            messages.push(parseMail(Buffer.concat(chunks).toString("utf8"), from, env.rcptTo.map((r) => r.address)));
            callback();
          });
        },
      });
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(port, "127.0.0.1", () => resolve());
      });
      server = s;
    },
    async stop() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((r) => s.close(() => r()));
    },
    async waitFor(match, count = 1, timeoutMs = 120_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const found = messages.filter(match);
        if (found.length >= count) return found;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`expected ${count} matching message(s) within ${timeoutMs} ms; got: ${JSON.stringify(messages.map((m) => m.subject))}`);
    },
  };
  if (opts.start !== false) await smtp.start();
  return smtp;
}
