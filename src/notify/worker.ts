// The outbox sender: polls rows that are due, claims each by compare-and-set, hands it to its
// notifier, and writes down the outcome. Channels are sent side by side (one slow or hung target
// never holds up another), each channel's rows in order. A failure is kept on the row (last_error) with the next try
// set by backoff; it never stops the loop. Rows live in SQLite, so an outage or a restart loses nothing.
import type { Db } from "../db/open.js";
import type { Logger } from "../log.js";
import { retryBusy } from "../db/retry.js";
import { backoffMs, DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff.js";
import type { NotifierRegistry } from "./index.js";
import type { PushPayload } from "./push/payload.js";
import { claim, dueRows, markFailedAttempt, markSent, type OutboxRow } from "./outbox.js";

export interface WorkerOptions {
  db: Db;
  notifiers: NotifierRegistry;
  log: Logger;
  /** How often to look for due rows (a wake() looks at once). */
  pollMs?: number;
  backoff?: BackoffPolicy;
  /** After this many failed attempts a row is `failed` for good (default 200: days at the cap). */
  maxAttempts?: number;
  /** How long a claim holds; a row whose sender died is claimable again after it. */
  leaseMs?: number;
  now?: () => number;
}

export class OutboxWorker {
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  /** Set by stop(): a tick in progress finishes the row in hand and sends no more. */
  private closing = false;
  private readonly now: () => number;

  constructor(private opts: WorkerOptions) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.closing = false;
    this.wake();
  }

  /** Looks for due rows now (or right after the tick in progress). */
  wake(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.ticking = this.tick()
      .then(() => undefined, (err: unknown) => this.opts.log.error({ err }, "outbox tick failed"))
      .finally(() => {
        this.ticking = null;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          return this.wake();
        }
        this.timer = setTimeout(() => this.wake(), this.opts.pollMs ?? 2000);
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
  }

  /** One pass over the due rows. Returns how many this pass sent. */
  async tick(): Promise<number> {
    const byChannel = new Map<string, OutboxRow[]>();
    for (const row of dueRows(this.opts.db, this.now())) byChannel.set(row.channel, [...(byChannel.get(row.channel) ?? []), row]);
    const counts = await Promise.all([...byChannel.values()].map(async (rows) => {
      let sent = 0;
      for (const row of rows) {
        if (this.closing) break;
        const outcome = await this.deliver(row);
        if (outcome === "sent") sent++;
        // The target is down or hung: its other rows wait for their turn rather than each waiting out a timeout now.
        if (outcome === "retry") break;
      }
      return sent;
    }));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Sends one row: "sent", "retry" (failed, due again later), "failed" (for good) or "taken" (someone else has it). */
  private async deliver(row: OutboxRow): Promise<"sent" | "retry" | "failed" | "taken"> {
    const { db, log } = this.opts;
    const notifier = this.opts.notifiers.get(row.channel);
    const leaseUntil = this.now() + (notifier?.leaseMs ?? this.opts.leaseMs ?? 180_000);
    if (!(await retryBusy(() => claim(db, row, leaseUntil)))) return "taken"; // another tick or process has it
    const attempts = row.attempts + 1;
    const result = notifier
      ? await notifier.send({
          id: row.id, dedupeKey: row.dedupe_key, recipients: JSON.parse(row.recipients) as string[],
          subject: row.subject, text: row.text, html: row.html, payload: row.payload ? (JSON.parse(row.payload) as PushPayload) : null,
        })
      : ({ ok: false, permanent: true, error: `no notifier "${row.channel}" is configured (removed, or its settings are gone)` } as const);
    if (result.ok) {
      await retryBusy(() => markSent(db, row.id, this.now()));
      log.info({ outboxId: row.id, channel: row.channel, key: row.dedupe_key, attempts }, "notification sent");
      return "sent";
    }
    const giveUp = result.permanent || attempts >= (this.opts.maxAttempts ?? 200);
    const wait = Math.max(backoffMs(attempts, this.opts.backoff ?? DEFAULT_BACKOFF), Math.min(("retryAfterMs" in result ? result.retryAfterMs : undefined) ?? 0, 3_600_000));
    const retryAt = giveUp ? null : this.now() + wait;
    await retryBusy(() => markFailedAttempt(db, row.id, result.error, retryAt));
    log.warn({ outboxId: row.id, channel: row.channel, key: row.dedupe_key, attempts, error: result.error, retryAt }, giveUp ? "notification failed for good" : "notification failed; will retry");
    return giveUp ? "failed" : "retry";
  }
}
