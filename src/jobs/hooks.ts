// What other parts (e-mail outbox, metrics) attach to a job's end. A hook runs inside the
// transaction that writes the terminal record, so what it writes (an outbox row) commits with it.
import type { Db } from "../db/open.js";
import type { JobStatus } from "../status.js";

export type JobEndedHook = (db: Db, jobId: number, status: JobStatus) => void;

/** Something an operator should hear about now (e-mail "attention" messages). */
export interface Attention {
  reason: "host-unreachable" | "temperature-pause" | "stuck-job";
  /** One event, one message: e.g. `paused:<job>:<n>`, `unreachable:<host>:<since>`. */
  key: string;
  hostId: number;
  jobId?: number;
  detail: string;
}
export type AttentionHook = (db: Db, a: Attention) => void;

export class JobHooks {
  private ended: JobEndedHook[] = [];
  private attention: AttentionHook[] = [];

  onAttention(hook: AttentionHook): void {
    this.attention.push(hook);
  }

  /** Never throws: an alert that cannot be recorded must not stop the job that raised it. */
  runAttention(db: Db, a: Attention): void {
    for (const h of this.attention) {
      try {
        h(db, a);
      } catch {
        /* the hook logs its own failures */
      }
    }
  }

  onEnded(hook: JobEndedHook): void {
    this.ended.push(hook);
  }

  /** Call inside the terminal transaction. */
  runEnded(db: Db, jobId: number, status: JobStatus): void {
    for (const h of this.ended) h(db, jobId, status);
  }
}
