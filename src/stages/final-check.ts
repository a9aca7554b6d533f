// final_check: the "after" SMART snapshot, compared with precheck's "before". A failed verdict lists
// every counter that got worse, before → after; a CRC-only change passes with a warning naming the
// cable. The verdict is kept on the stage row (detail_json) for the drawer and the report.
import { addJobEvent, setStageDetail } from "../jobs/repo.js";
import { compareSnapshots } from "../smart/compare.js";
import { latestSnapshot, saveSnapshot, setDriveTemperature } from "../smart/store.js";
import type { StageImpl } from "./types.js";

export const finalCheck: StageImpl["run"] = async (ctx) => {
  const r = await ctx.registry.port(ctx.host.id).smart(ctx.job.device_path, "all");
  if (!r.ok) return { status: "unknown", errorText: `SMART could not be read after the burn-in: ${r.reason}` };
  const after = r.snapshot;
  saveSnapshot(ctx.db, ctx.job.id, "after", after, r.raw);
  if (after.temperatureC !== null) setDriveTemperature(ctx.db, ctx.drive.id, after.temperatureC);
  const before = latestSnapshot(ctx.db, ctx.job.id, "before");
  if (!before) {
    setStageDetail(ctx.db, ctx.stage.id, { verdict: null, reason: "no before snapshot" });
    if (after.healthPassed === false) return { status: "failed", errorText: "SMART health is FAILED after the burn-in" };
    return { status: "passed", errorText: "no SMART \"before\" snapshot (precheck did not run in this job): only SMART health was checked" };
  }
  const verdict = compareSnapshots(before.snapshot, after);
  setStageDetail(ctx.db, ctx.stage.id, { verdict, beforeAt: before.takenAt });
  addJobEvent(ctx.db, ctx.job.id, "smart", `SMART verdict ${verdict.status}: ${verdict.text}`);
  if (verdict.status === "failed") return { status: "failed", errorText: verdict.text };
  if (verdict.status === "warning") return { status: "passed", errorText: `warning: ${verdict.text}` };
  return { status: "passed", errorText: null };
};
