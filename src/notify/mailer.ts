// The one narrow wrapper for outbound mail: nodemailer over KILN_SMTP_URL. Failures come back as
// data that says whether a retry can help (an SMTP 5xx answer is permanent; a refused connection is not).
import nodemailer from "nodemailer";
import { hostname } from "node:os";

export interface Mail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** A stable Message-ID, so a mail client can fold a rare re-send after a crash into one message. */
  messageId?: string;
}

/** How one attempt went; `retryAfterMs` is the service's own "try again in" (HTTP 429), used when longer than the backoff. */
export type SendResult = { ok: true; messageId: string } | { ok: false; permanent: boolean; error: string; retryAfterMs?: number | undefined };

export interface Mailer {
  send(mail: Mail): Promise<SendResult>;
  close(): void;
}

export interface MailerOptions {
  smtpUrl: string;
  from?: string | undefined;
  /** Connect, greeting and socket timeouts, so a hung server cannot stall the sender. */
  timeoutMs?: number;
}

const defaultFrom = () => `Kiln <kiln@${hostname() || "localhost"}>`;

/** Strips a password from an SMTP URL for logs and error texts. */
function redactSmtpUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

function describeMailError(err: unknown): { permanent: boolean; error: string } {
  const e = err as { message?: string; code?: string; responseCode?: number; response?: string };
  const permanent = typeof e.responseCode === "number" && e.responseCode >= 500 && e.responseCode < 600;
  const parts = [e.code, e.responseCode, e.response ?? e.message].filter((p) => p !== undefined && p !== "");
  return { permanent, error: redactSmtpUrl(parts.join(" ") || String(err)) };
}

export function createMailer(opts: MailerOptions): Mailer {
  const t = opts.timeoutMs ?? 30_000;
  const transport = nodemailer.createTransport(
    { url: opts.smtpUrl, connectionTimeout: t, greetingTimeout: t, socketTimeout: t * 2 },
    { from: opts.from ?? defaultFrom() },
  );
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({
          to: mail.to, subject: mail.subject, text: mail.text, html: mail.html,
          ...(mail.messageId ? { messageId: mail.messageId } : {}),
        });
        return { ok: true, messageId: String(info.messageId) };
      } catch (err) {
        return { ok: false, ...describeMailError(err) };
      }
    },
    close() {
      transport.close();
    },
  };
}
