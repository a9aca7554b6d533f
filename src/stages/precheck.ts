// precheck: right before anything destructive, re-read the host and make sure the drive is still
// the one the operator confirmed and still not in use; then, where SMART is readable, re-read its
// identity, health and temperature, and keep the "before" snapshot that final_check compares with;
// last, judge whether the drive is really new (new-drive-check.ts).
import type { DriveRow } from "../drives/repo.js";
import { assessSnapshot, findingsText } from "../smart/assess.js";
import { guardLimitsFrom } from "../stage-kit/temperature-guard.js";
import { checkNewDrive } from "./new-drive-check.js";
import { wakeIfAsleep } from "./smart-wake.js";
import type { StageContext, StageImpl, StageResult } from "../stage-kit/types.js";

async function smartBefore(ctx: StageContext, confirmed: DriveRow, now: DriveRow): Promise<StageResult> {
  if (now.smart_available !== 1) {
    ctx.recorder.note("smart", `SMART is not readable (${now.smart_reason ?? "no reason given"}): no "before" snapshot`);
    return checkNewDrive(ctx, null, `SMART is not readable (${now.smart_reason ?? "no reason given"})`);
  }
  const r = await ctx.port.smart(ctx.job.device_path, "all");
  if (!r.ok) return { status: "failed", errorText: `SMART was readable at the scan but not now: ${r.reason}` };
  const s = r.snapshot;
  const expected = confirmed.serial ?? now.serial;
  if (expected && s.identity.serial && s.identity.serial !== expected) {
    return { status: "failed", errorText: `SMART reports serial ${s.identity.serial}, but the confirmed drive is ${expected}` };
  }
  ctx.recorder.saveSmart("before", s, r.raw);
  if (s.temperatureC !== null) ctx.recorder.temperature(s.temperatureC);
  const findings = assessSnapshot(s);
  if (s.healthPassed === false || s.exit.flags.diskFailing) {
    return { status: "failed", errorText: `SMART health is FAILED before the burn-in: ${findingsText(findings)}` };
  }
  const { limitC } = guardLimitsFrom(JSON.parse(ctx.job.options_json));
  if (s.temperatureC !== null && s.temperatureC >= limitC) {
    return { status: "failed", errorText: `the drive is at ${s.temperatureC} °C, at or above the ${limitC} °C limit: let it cool first` };
  }
  if (findings.length > 0) ctx.recorder.note("smart", `SMART before the burn-in: ${findingsText(findings)}`);
  return checkNewDrive(ctx, r.raw);
}

export const precheck: StageImpl = {
  name: "precheck",
  async run(ctx) {
    const before = ctx.drive;
    // A fresh look at this device only: it must still hold this drive (same identity).
    const seen = await ctx.recorder.rescan([before.dev_name]);
    const now = seen.some((d) => d.id === before.id) ? ctx.recorder.drive() : undefined;
    if (!now || !now.present) {
      const other = seen[0];
      return {
        status: "failed",
        errorText: other
          ? `${before.dev_name} now holds a different drive (${other.serial ?? other.path}), not ${before.confirm_name}`
          : `${before.dev_name} (${before.confirm_name}) is no longer present on ${ctx.host.name}`,
      };
    }
    if (now.path !== ctx.job.device_path) {
      return { status: "failed", errorText: `the drive's device path changed from ${ctx.job.device_path} to ${now.path}` };
    }
    if (now.size_bytes !== before.size_bytes) {
      return { status: "failed", errorText: `the drive's size changed from ${before.size_bytes} to ${now.size_bytes} bytes` };
    }
    if (now.in_use_reason) return { status: "failed", errorText: `the drive is in use: ${now.in_use_reason}` };
    return smartBefore(ctx, before, await wakeIfAsleep(ctx, now));
  },
};
