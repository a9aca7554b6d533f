// The SMART stages on a drive whose SMART cannot be read (loop device, USB bridge without -d sat,
// virtual disk): skipped with the reason, so the verdict visibly rests on the surface test alone.
import type { StageName } from "../stage-kit/plan.js";
import type { StageImpl } from "../stage-kit/types.js";
import { wakeIfAsleep } from "./smart-wake.js";

function smartSkippedReason(smartAvailable: boolean, reason: string | null): string | null {
  if (smartAvailable) return null;
  return `SMART is not readable on this device${reason ? ` (${reason})` : ""}; the verdict rests on the surface test alone`;
}

export function smartStage(name: StageName, runWithSmart: StageImpl["run"]): StageImpl {
  return {
    name,
    async run(ctx) {
      // A job without precheck meets a sleeping drive here first: wake it rather than skip.
      const drive = await wakeIfAsleep(ctx, ctx.drive);
      const skipped = smartSkippedReason(drive.smart_available === 1, drive.smart_reason);
      if (skipped) return { status: "skipped", errorText: skipped };
      return runWithSmart({ ...ctx, drive });
    },
  };
}
