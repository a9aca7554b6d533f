// Notifications as one part of Kiln: the hooks that record job and batch endings and attention events
// in the outbox (one row per channel: e-mail when configured, each push target), the push targets,
// and the worker that sends. With no channel configured, events record nothing.
import type { Config } from "../config.js";
import type { Db } from "../db/open.js";
import type { Logger } from "../log.js";
import type { JobHooks } from "../jobs/hooks.js";
import { DEFAULT_BACKOFF } from "./backoff.js";
import { createNotifiers, mailSettings } from "./index.js";
import { reportUrlOf } from "./facts.js";
import { notifyOnJobEnd, recordAttention, type Channel, type RecordContext } from "./record.js";
import { PushTargets, syncEnvTargets } from "./targets.js";
import { OutboxWorker } from "./worker.js";

export interface Notifications {
  /** How messages are recorded. */
  context: RecordContext;
  /** The push targets (KILN_NOTIFY_URLS and the settings page's). */
  targets: PushTargets;
  /** The e-mail channel, or null when e-mail is off. */
  mailChannel: Channel | null;
  /** Starts sending; `port` is the one Kiln listens on (the default base of links). */
  start(port: number): void;
  close(): Promise<void>;
}

/** Registers the job-ended and attention hooks; call before the runner starts, so no ending is missed. */
export function setupNotifications(deps: { db: Db; config: Config; hooks: JobHooks; log: Logger; version?: string }): Notifications {
  const { db, config, hooks, log } = deps;
  const mail = mailSettings(config);
  if (!mail && config.smtpUrl) log.warn("KILN_SMTP_URL is set but KILN_MAIL_TO is empty: no e-mail will be sent");
  let port = config.port;
  const notifiers = createNotifiers(config);
  const targets = new PushTargets({
    db, notifiers, timeoutMs: config.notifyTimeoutMs, userAgent: `Kiln/${deps.version ?? "dev"}`, log,
  });
  syncEnvTargets(db, config.notifyUrls);
  targets.refresh();
  const worker = new OutboxWorker({
    db, notifiers, log,
    pollMs: Math.min(2000, Math.max(100, config.mailRetryBaseMs)),
    backoff: { baseMs: config.mailRetryBaseMs, capMs: DEFAULT_BACKOFF.capMs },
  });
  const mailChannel: Channel | null = mail ? { name: "email", form: "mail", recipients: mail.to } : null;
  const context: RecordContext = {
    channels: () => [...(mailChannel ? [mailChannel] : []), ...targets.channelNames().map((name): Channel => ({ name, form: "push" }))],
    publicUrl: () => config.publicUrl ?? `http://127.0.0.1:${port}`,
    log,
    recorded: () => worker.wake(),
  };
  notifyOnJobEnd(hooks, context);
  hooks.onAttention((hookDb, a) => {
    const host = hookDb.prepare("SELECT name FROM hosts WHERE id = ?").pluck().get(a.hostId) as string | undefined;
    const link = a.jobId !== undefined ? reportUrlOf(context.publicUrl(), a.jobId) : context.publicUrl();
    recordAttention(hookDb, a.key, { reason: a.reason, host: host ?? `host ${a.hostId}`, detail: a.detail, jobId: a.jobId, link }, context);
  });
  return {
    context,
    targets,
    mailChannel,
    start(listenPort) {
      port = listenPort;
      worker.start();
    },
    async close() {
      await worker.stop();
      for (const n of notifiers.values()) n.close();
    },
  };
}
