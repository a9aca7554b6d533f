// Notifications as one part of Kiln: the hook that records job and batch endings in the outbox,
// and the worker that sends them. With no mail configured, nothing is recorded and no worker runs.
import type { Config } from "../config.js";
import type { Db } from "../db/open.js";
import type { Logger } from "../log.js";
import type { JobHooks } from "../jobs/hooks.js";
import { DEFAULT_BACKOFF } from "./backoff.js";
import { createNotifiers, mailSettings } from "./index.js";
import { notifyOnJobEnd, recordAttention, type RecordContext } from "./record.js";
import { OutboxWorker } from "./worker.js";

export interface Notifications {
  /** How messages are recorded, or null when e-mail is off. */
  context: RecordContext | null;
  /** Starts sending; `port` is the one Kiln listens on (the default base of links). */
  start(port: number): void;
  close(): Promise<void>;
}

/** Registers the job-ended hook; call before the runner starts, so no ending is missed. */
export function setupNotifications(deps: { db: Db; config: Config; hooks: JobHooks; log: Logger }): Notifications {
  const { db, config, hooks, log } = deps;
  const mail = mailSettings(config);
  if (!mail) {
    if (config.smtpUrl) log.warn("KILN_SMTP_URL is set but KILN_MAIL_TO is empty: no e-mail will be sent");
    return { context: null, start() {}, async close() {} };
  }
  let port = config.port;
  const notifiers = createNotifiers(config);
  const worker = new OutboxWorker({
    db, notifiers, log,
    pollMs: Math.min(2000, Math.max(100, config.mailRetryBaseMs)),
    backoff: { baseMs: config.mailRetryBaseMs, capMs: DEFAULT_BACKOFF.capMs },
  });
  const context: RecordContext = {
    recipients: mail.to,
    publicUrl: () => config.publicUrl ?? `http://127.0.0.1:${port}`,
    log,
    recorded: () => worker.wake(),
  };
  notifyOnJobEnd(hooks, context);
  hooks.onAttention((hookDb, a) => {
    const host = hookDb.prepare("SELECT name FROM hosts WHERE id = ?").pluck().get(a.hostId) as string | undefined;
    const link = a.jobId !== undefined ? `${context.publicUrl()}/api/v1/jobs/${a.jobId}/report?format=html` : context.publicUrl();
    recordAttention(hookDb, a.key, { reason: a.reason, host: host ?? `host ${a.hostId}`, detail: a.detail, jobId: a.jobId, link }, context);
  });
  return {
    context,
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
