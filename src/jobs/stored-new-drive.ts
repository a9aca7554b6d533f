// The "is it really new?" verdict precheck keeps on its stage row (stages/new-drive-check.ts).
import type { Db } from "../db/open.js";
import type { NewDriveVerdict } from "../smart/new-drive.js";

/** The verdict precheck kept for a job, or null (no precheck, or it stopped before SMART). */
export function storedNewDrive(db: Db, jobId: number): NewDriveVerdict | null {
  const row = db.prepare("SELECT detail_json FROM stages WHERE job_id = ? AND name = 'precheck' ORDER BY seq LIMIT 1").pluck().get(jobId) as
    | string
    | null
    | undefined;
  return newDriveOf(row ?? null);
}

/** The verdict kept in a precheck stage's detail_json (null before precheck judged the drive). */
export function newDriveOf(precheckDetailJson: string | null): NewDriveVerdict | null {
  if (!precheckDetailJson) return null;
  return (JSON.parse(precheckDetailJson) as { newDrive?: NewDriveVerdict }).newDrive ?? null;
}
