// final_check: the "after" SMART snapshot, compared with precheck's "before". A failed verdict lists
// every counter that got worse, before → after; a CRC-only change passes with a warning naming the
// cable. The verdict is kept on the stage row (detail_json) for the drawer and the report.
import { compareSnapshots } from "../smart/compare.js";
import type { StageImpl } from "../stage-kit/types.js";

export const finalCheck: StageImpl["run"] = async (ctx) => {
  const r = await ctx.port.smart(ctx.job.device_path, "all");
  if (!r.ok) return { status: "unknown", errorText: `SMART could not be read after the burn-in: ${r.reason}` };
  const after = r.snapshot;
  ctx.recorder.saveSmart("after", after, r.raw);
  if (after.temperatureC !== null) ctx.recorder.temperature(after.temperatureC);
  const before = ctx.recorder.smartBefore();
  if (!before) {
    ctx.recorder.setDetail({ verdict: null, reason: "no before snapshot" });
    if (after.healthPassed === false) return { status: "failed", errorText: "SMART health is FAILED after the burn-in" };
    return { status: "passed", errorText: "no SMART \"before\" snapshot (precheck did not run in this job): only SMART health was checked" };
  }
  const verdict = compareSnapshots(before.snapshot, after);
  ctx.recorder.setDetail({ verdict, beforeAt: before.takenAt });
  ctx.recorder.note("smart", `SMART verdict ${verdict.status}: ${verdict.text}`);
  if (verdict.status === "failed") return { status: "failed", errorText: verdict.text };
  if (verdict.status === "warning") return { status: "passed", errorText: `warning: ${verdict.text}` };
  return { status: "passed", errorText: null };
};
