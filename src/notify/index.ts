// The notifier registry: each channel is `{ name, send(message) }`, and the outbox worker hands a
// row to the notifier its `channel` names. E-mail is `email`; each push target (ntfy, Telegram, a
// webhook, … src/notify/push/) is `push:<target id>`, kept in the same map by src/notify/targets.ts.
import type { Config } from "../config.js";
import { createMailer, type Mailer, type SendResult } from "./mailer.js";
import type { PushPayload } from "./push/payload.js";

export interface NotifierMessage {
  /** Outbox row id and dedupe key: a stable identity for the message. */
  id: number;
  dedupeKey: string;
  recipients: string[];
  subject: string;
  text: string;
  html: string;
  /** The event's facts, on push rows (src/notify/push/payload.ts); null on e-mail rows. */
  payload: PushPayload | null;
}

export interface Notifier {
  name: string;
  send(message: NotifierMessage): Promise<SendResult>;
  /** How long a claim of a row for this notifier holds (default: the worker's). */
  leaseMs?: number;
  close(): void;
}

export type NotifierRegistry = ReadonlyMap<string, Notifier>;

export interface MailSettings {
  smtpUrl: string;
  from: string | undefined;
  to: string[];
}

/** E-mail is on when an SMTP URL and at least one recipient are configured; otherwise null. */
export function mailSettings(config: Pick<Config, "smtpUrl" | "mailFrom" | "mailTo">): MailSettings | null {
  if (!config.smtpUrl || config.mailTo.length === 0) return null;
  return { smtpUrl: config.smtpUrl, from: config.mailFrom, to: config.mailTo };
}

/** A Message-ID derived from the dedupe key, so a re-send after a crash mid-send reads as the same message. */
export const messageIdOf = (m: Pick<NotifierMessage, "id" | "dedupeKey">) => `<${m.dedupeKey.replace(/[^A-Za-z0-9.-]/g, "-")}.${m.id}@kiln>`;

function emailNotifier(mailer: Mailer): Notifier {
  return {
    name: "email",
    send: (m) => mailer.send({ to: m.recipients, subject: m.subject, text: m.text, html: m.html, messageId: messageIdOf(m) }),
    close: () => mailer.close(),
  };
}

export function createNotifiers(config: Pick<Config, "smtpUrl" | "mailFrom" | "mailTo">): Map<string, Notifier> {
  const registry = new Map<string, Notifier>();
  const mail = mailSettings(config);
  if (mail) registry.set("email", emailNotifier(createMailer({ smtpUrl: mail.smtpUrl, from: mail.from })));
  return registry;
}
