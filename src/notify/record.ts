// Records notifications in the outbox, in the caller's transaction: a job's end (and its batch's,
// when it was the last of a batch of several), an attention event, a test e-mail.
import { randomUUID } from "node:crypto";
import type { Db } from "../db/open.js";
import type { Logger } from "../log.js";
import type { JobHooks } from "../jobs/hooks.js";
import { getJob, nowIso } from "../jobs/repo.js";
import { endedBatchFacts, jobFactsOf } from "./facts.js";
import { attentionMessage, batchEndedMessage, jobEndedMessage, testMessage, type AttentionFacts } from "./messages.js";
import { enqueue } from "./outbox.js";

export interface RecordContext {
  recipients: string[];
  /** The base of links in messages (KILN_PUBLIC_URL, or the listening address). */
  publicUrl: () => string;
  log: Logger;
  /** Told after a row is recorded (the worker's wake-up); runs after the caller's transaction. */
  recorded?: () => void;
}

/** The outbox rows for a job that has just ended. Returns the ids of new rows (none when already recorded). */
export function recordJobEnded(db: Db, jobId: number, ctx: RecordContext, now = Date.now()): number[] {
  const job = getJob(db, jobId);
  if (!job) return [];
  const base = ctx.publicUrl();
  const ids: (number | null)[] = [];
  const msg = jobEndedMessage(jobFactsOf(db, job, base));
  ids.push(enqueue(db, { dedupeKey: `job-ended:${job.id}`, kind: "job-ended", recipients: ctx.recipients, ...msg }, now));
  if (job.batch_id) {
    const batch = endedBatchFacts(db, job.batch_id, base);
    // A batch of one is its job's message already.
    if (batch && batch.jobs.length > 1) {
      const b = batchEndedMessage(batch);
      ids.push(enqueue(db, { dedupeKey: `batch-ended:${job.batch_id}`, kind: "batch-ended", recipients: ctx.recipients, ...b }, now));
    }
  }
  return ids.filter((id): id is number => id !== null);
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

/** An attention message, once per `key` (e.g. `host-unreachable:<hostId>:<since>`). Call inside the event's transaction. */
export function recordAttention(db: Db, key: string, facts: AttentionFacts, ctx: RecordContext, now = Date.now()): number | null {
  const msg = attentionMessage(facts);
  const [id] = guarded(db, ctx, { key }, () => {
    const row = enqueue(db, { dedupeKey: `attention:${key}`, kind: "attention", recipients: ctx.recipients, ...msg }, now);
    return row === null ? [] : [row];
  });
  return id ?? null;
}

/** A test e-mail through the outbox, like any other message. Returns the row id. */
export function recordTestMessage(db: Db, ctx: RecordContext, now = Date.now()): number {
  const msg = testMessage(nowIso(now), ctx.publicUrl());
  const id = enqueue(db, { dedupeKey: `test:${randomUUID()}`, kind: "test", recipients: ctx.recipients, ...msg }, now);
  if (ctx.recorded) setImmediate(ctx.recorded);
  return id!;
}
