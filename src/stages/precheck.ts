// precheck: right before anything destructive, re-read the host and make sure the drive is still
// the one the operator confirmed and still not in use.
import { getDrive } from "../drives/repo.js";
import type { StageImpl } from "./types.js";

export const precheck: StageImpl = {
  name: "precheck",
  async run(ctx) {
    const before = ctx.drive;
    await ctx.hosts.scan(ctx.host.id);
    const now = getDrive(ctx.db, before.id);
    if (!now || !now.present) {
      return { status: "failed", errorText: `${before.dev_name} (${before.confirm_name}) is no longer present on ${ctx.host.name}` };
    }
    if (now.path !== ctx.job.device_path) {
      return { status: "failed", errorText: `the drive's device path changed from ${ctx.job.device_path} to ${now.path}` };
    }
    if (now.size_bytes !== before.size_bytes) {
      return { status: "failed", errorText: `the drive's size changed from ${before.size_bytes} to ${now.size_bytes} bytes` };
    }
    if (now.in_use_reason) return { status: "failed", errorText: `the drive is in use: ${now.in_use_reason}` };
    return { status: "passed", errorText: null };
  },
};
