// A drive the scan found asleep (`smartctl -n standby` exits 2: "Device is in STANDBY mode") has
// readable SMART; the scan only chose not to wake it. A job that is about to use the drive wakes it
// with a full reading (no -n), retried a few times while it spins up, and records SMART as available,
// so the self-tests, the final check and the temperature guard run instead of being skipped.
import type { DriveRow } from "../drives/repo.js";
import { STANDBY_REASON } from "../inventory/smartctl.js";
import { sleep } from "../stage-kit/sleep.js";
import type { StageContext } from "../stage-kit/types.js";

const WAKE_ATTEMPTS = 4;
const WAKE_RETRY_MS = 5_000;

function isAsleep(drive: DriveRow): boolean {
  return drive.smart_available !== 1 && drive.smart_reason === STANDBY_REASON;
}

/** Wakes `drive` if the scan left it asleep; returns the drive row as it now stands. */
export async function wakeIfAsleep(ctx: StageContext, drive: DriveRow): Promise<DriveRow> {
  if (!isAsleep(drive)) return drive;
  const port = ctx.port;
  let reason = "";
  for (let attempt = 1; attempt <= WAKE_ATTEMPTS; attempt++) {
    const r = await port.smart(ctx.job.device_path, "all");
    if (r.ok) {
      ctx.recorder.smartAwake();
      ctx.recorder.note("smart", "the drive was in standby: woken for its SMART stages");
      return ctx.recorder.drive() ?? drive;
    }
    reason = r.reason;
    if (attempt < WAKE_ATTEMPTS) await sleep(WAKE_RETRY_MS, ctx.signal);
    if (ctx.signal.aborted) break;
  }
  ctx.recorder.note("smart", `the drive was in standby and did not answer SMART when woken: ${reason}`);
  return drive;
}
