// Precheck's "is it really new?" step: reads FARM where it can (a Seagate drive, smartctl 7.4+),
// judges the drive (smart/new-drive.ts), keeps the verdict on the precheck stage (detail_json) and
// applies the batch's policy: by default `used` warns and `tampered` fails the job.
import { farmNotApplicable, type FarmReading } from "../smart/farm.js";
import { newDriveVerdict, type NewDriveVerdict } from "../smart/new-drive.js";
import { DEFAULT_POLICY, type NewDrivePolicy } from "../smart/new-drive-knowledge.js";
import type { StageContext, StageResult } from "../stage-kit/types.js";

export interface NewDrivePolicies {
  usedDrive: NewDrivePolicy;
  tamperedDrive: NewDrivePolicy;
}

function newDrivePolicies(options: { usedDrive?: NewDrivePolicy; tamperedDrive?: NewDrivePolicy }): NewDrivePolicies {
  return { usedDrive: options.usedDrive ?? DEFAULT_POLICY.usedDrive, tamperedDrive: options.tamperedDrive ?? DEFAULT_POLICY.tamperedDrive };
}

/** What the verdict does to the stage under the policy: fail it, pass with a warning, or pass. Pure. */
function applyPolicy(v: NewDriveVerdict, p: NewDrivePolicies): StageResult {
  const policy = v.status === "used" ? p.usedDrive : v.status === "tampered" ? p.tamperedDrive : null;
  if (policy === "fail") return { status: "failed", errorText: `not a new drive: ${v.text}` };
  if (policy === "warn") return { status: "passed", errorText: `warning: ${v.text}` };
  return { status: "passed", errorText: null };
}

async function farmOf(ctx: StageContext, raw: unknown): Promise<FarmReading> {
  const notApplicable = farmNotApplicable(raw);
  if (notApplicable) return { available: false, reason: notApplicable };
  try {
    return await ctx.port.farm(ctx.job.device_path);
  } catch (err) {
    return { available: false, reason: `could not read FARM: ${(err as Error).message}` };
  }
}

/** Judges the drive from its `smartctl -a` JSON (null: SMART not readable, `why`), keeps and applies the verdict. */
export async function checkNewDrive(ctx: StageContext, raw: unknown | null, why?: string): Promise<StageResult> {
  const farm: FarmReading = raw === null ? { available: false, reason: "SMART is not readable" } : await farmOf(ctx, raw);
  const verdict = newDriveVerdict(raw, farm, raw === null ? (why ?? "SMART is not readable") : undefined);
  // Merged into whatever else precheck keeps on its row.
  ctx.recorder.setDetail({ ...(ctx.recorder.detail() ?? {}), newDrive: verdict });
  ctx.recorder.note("new-drive", `new drive? ${verdict.text}`);
  return applyPolicy(verdict, newDrivePolicies(JSON.parse(ctx.job.options_json)));
}
