// What other parts (e-mail outbox, metrics) attach to a job's end. A hook runs inside the
// transaction that writes the terminal record, so what it writes (an outbox row) commits with it.
import type { Db } from "../db/open.js";
import type { JobStatus } from "./status.js";

export type JobEndedHook = (db: Db, jobId: number, status: JobStatus) => void;

export class JobHooks {
  private ended: JobEndedHook[] = [];

  onEnded(hook: JobEndedHook): void {
    this.ended.push(hook);
  }

  /** Call inside the terminal transaction. */
  runEnded(db: Db, jobId: number, status: JobStatus): void {
    for (const h of this.ended) h(db, jobId, status);
  }
}
