// Progress of a stage that is not badblocks (SMART self-tests): the stage's percent and the job's
// weighted overall percent and ETA, written at once and pushed to the UI.
import { getJob, getStages, setJobProgress } from "../jobs/repo.js";
import { etaSeconds, overallPercent, type DriveFacts } from "../stages/plan.js";
import type { StageContext } from "../stages/types.js";

export function reportStagePercent(ctx: StageContext, percent: number, facts: Partial<DriveFacts> = {}, now = Date.now()): void {
  const pct = Math.max(0, Math.min(99.99, percent));
  ctx.db.prepare("UPDATE stages SET percent = ? WHERE id = ? AND status = 'running'").run(pct, ctx.stage.id);
  const job = getJob(ctx.db, ctx.job.id);
  if (job) {
    const stages = getStages(ctx.db, job.id).map((s) => ({ name: s.name, status: s.status, percent: s.percent }));
    const jobPercent = overallPercent(stages, { sizeBytes: ctx.drive.size_bytes, ...facts });
    const elapsed = job.started_at ? (now - Date.parse(job.started_at)) / 1000 : 0;
    setJobProgress(ctx.db, job.id, jobPercent, etaSeconds(elapsed, jobPercent));
  }
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
