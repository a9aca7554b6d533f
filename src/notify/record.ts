// Records notifications in the outbox, in the caller's transaction: a job's end (and its batch's,
// when it was the last of a batch of several), an attention event, a test message. Each event gives
// one row per channel (e-mail, each push target) under the same dedupe key: the same messages everywhere.
import { randomUUID } from "node:crypto";
import type { Db } from "../db/open.js";
import type { Logger } from "../log.js";
import type { JobHooks } from "../jobs/hooks.js";
import { nowIso } from "../db/time.js";
import { getJob } from "../jobs/repo.js";
import { endedBatchFacts, jobFactsOf } from "./facts.js";
import { attentionMessage, batchEndedMessage, jobEndedMessage, testMessage, type AttentionFacts, type Message } from "./messages.js";
import { shortAttention, shortBatchEnded, shortJobEnded, shortTest, type ShortMessage } from "./push/payload.js";
import { enqueue } from "./outbox.js";

/** Where new messages go: e-mail (full text and HTML, to its recipients) or a push target (short form). */
export type Channel = { name: "email"; form: "mail"; recipients: string[] } | { name: string; form: "push" };

export interface RecordContext {
  /** The channels configured now; a message is recorded once for each. */
  channels: () => Channel[];
  /** The base of links in messages (KILN_PUBLIC_URL, or the listening address). */
  publicUrl: () => string;
  log: Logger;
  /** Told after a row is recorded (the worker's wake-up); runs after the caller's transaction. */
  recorded?: () => void;
}

interface Event {
  dedupeKey: string;
  kind: string;
  mail: () => Message;
  push: (at: string) => ShortMessage;
}

/** One row per channel. Returns the ids of the new rows (none for a channel that already had it). */
function enqueueEvent(db: Db, channels: Channel[], e: Event, now: number): number[] {
  const ids: (number | null)[] = [];
  for (const ch of channels) {
    if (ch.form === "mail") {
      ids.push(enqueue(db, { channel: ch.name, dedupeKey: e.dedupeKey, kind: e.kind, recipients: ch.recipients, ...e.mail() }, now));
    } else {
      const m = e.push(nowIso(now));
      ids.push(enqueue(db, {
        channel: ch.name, dedupeKey: e.dedupeKey, kind: e.kind, recipients: [],
        subject: m.title, text: m.text, html: "", payload: JSON.stringify(m.payload),
      }, now));
    }
  }
  return ids.filter((id): id is number => id !== null);
}

/** The outbox rows for a job that has just ended. Returns the ids of new rows (none when already recorded). */
function recordJobEnded(db: Db, jobId: number, ctx: RecordContext, now = Date.now()): number[] {
  const job = getJob(db, jobId);
  const channels = ctx.channels();
  if (!job || channels.length === 0) return [];
  const base = ctx.publicUrl();
  const facts = jobFactsOf(db, job, base);
  const key = `job-ended:${job.id}`;
  const ids = enqueueEvent(db, channels, { dedupeKey: key, kind: "job-ended", mail: () => jobEndedMessage(facts), push: (at) => shortJobEnded(facts, key, at) }, now);
  if (job.batch_id) {
    const batch = endedBatchFacts(db, job.batch_id, base);
    // A batch of one is its job's message already.
    if (batch && batch.jobs.length > 1) {
      const bkey = `batch-ended:${job.batch_id}`;
      ids.push(...enqueueEvent(db, channels, { dedupeKey: bkey, kind: "batch-ended", mail: () => batchEndedMessage(batch), push: (at) => shortBatchEnded(batch, bkey, at) }, now));
    }
  }
  return ids;
}

/**
 * Runs `record` in a savepoint of the caller's transaction: a failure to build or record a message
 * is logged and rolled back alone, and never stops the event itself (a job's terminal record) from committing.
 */
function guarded(db: Db, ctx: RecordContext, what: object, record: () => number[]): number[] {
  try {
    const ids = db.transaction(record)();
    if (ids.length && ctx.recorded) setImmediate(ctx.recorded);
    return ids;
  } catch (err) {
    ctx.log.error({ err, ...what }, "could not record a notification");
    return [];
  }
}

/** Records a job-ended (and batch-ended) message inside every job's terminal transaction. */
export function notifyOnJobEnd(hooks: JobHooks, ctx: RecordContext): void {
  hooks.onEnded((db, jobId) => void guarded(db, ctx, { jobId }, () => recordJobEnded(db, jobId, ctx)));
}

/** An attention message, once per `key` (e.g. `host-unreachable:<hostId>:<since>`). Call inside the event's transaction. Returns the new rows' ids. */
export function recordAttention(db: Db, key: string, facts: AttentionFacts, ctx: RecordContext, now = Date.now()): number[] {
  const dedupeKey = `attention:${key}`;
  return guarded(db, ctx, { key }, () =>
    enqueueEvent(db, ctx.channels(), { dedupeKey, kind: "attention", mail: () => attentionMessage(facts), push: (at) => shortAttention(facts, dedupeKey, at) }, now));
}

/** A test message through the outbox, like any other, to the one channel named. Returns the row id. */
export function recordTestMessage(db: Db, ctx: RecordContext, channel: Channel, now = Date.now()): number {
  const dedupeKey = `test:${randomUUID()}`;
  const base = ctx.publicUrl();
  const [id] = enqueueEvent(db, [channel], { dedupeKey, kind: "test", mail: () => testMessage(nowIso(now), base), push: (at) => shortTest(base, dedupeKey, at) }, now);
  if (ctx.recorded) setImmediate(ctx.recorded);
  return id!;
}
