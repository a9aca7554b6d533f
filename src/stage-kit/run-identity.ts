// Who a run on a host belongs to: this Kiln install (jobs/run-identity.ts installId), the run (a
// random token per launch, kept on the stage row) and the confirmed drive (its identity at start).
import { randomBytes } from "node:crypto";
import type { DriveRow } from "../drives/repo.js";
import type { DeviceIdentity } from "../remote/launch-script.js";

export function newRunToken(): string {
  return randomBytes(16).toString("hex");
}

/** The drive as confirmed: what the launch script re-checks on the host. */
export function deviceIdentity(drive: DriveRow, path = drive.path): DeviceIdentity {
  return { path, sizeBytes: drive.size_bytes, serial: drive.serial, wwn: drive.wwn, backingFile: drive.backing_file };
}

/** The job's recorded identity; jobs queued before migration 007 fall back to the drive row. */
export function jobDeviceIdentity(job: { device_identity: string | null; device_path: string }, drive: DriveRow): DeviceIdentity {
  return job.device_identity ? (JSON.parse(job.device_identity) as DeviceIdentity) : deviceIdentity(drive, job.device_path);
}
