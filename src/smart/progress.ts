// Progress of a stage that is not badblocks (SMART self-tests): the stage's percent and the job's
// weighted overall percent and ETA, written at once and pushed to the UI.
import { setJobProgress } from "../jobs/repo.js";
import { jobProgress } from "../jobs/progress.js";
import type { StageContext } from "../stages/types.js";

export function reportStagePercent(ctx: StageContext, percent: number, now = Date.now()): void {
  const pct = Math.max(0, Math.min(99.99, percent));
  ctx.db.prepare("UPDATE stages SET percent = ? WHERE id = ? AND status = 'running'").run(pct, ctx.stage.id);
  const p = jobProgress(ctx.db, ctx.job.id, { stageId: ctx.stage.id, percent: pct }, now);
  setJobProgress(ctx.db, ctx.job.id, p.percent, p.etaSeconds);
  ctx.publish();
}

/** Sleeps `ms`, or less when `signal` aborts. Never rejects. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
