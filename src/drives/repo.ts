// Drive rows: upserted from a host scan by stable identity, listed with their active and last job.
import type { Db } from "../db/open.js";
import type { ScannedDrive } from "../inventory/types.js";
import { nowIso } from "../db/time.js";
import { ACTIVE_JOB_STATUSES, sqlList } from "../status.js";

export interface DriveRow {
  id: number;
  host_id: number;
  identity_key: string;
  path: string;
  dev_name: string;
  dev_path: string;
  serial: string | null;
  wwn: string | null;
  model: string | null;
  firmware: string | null;
  size_bytes: number;
  rotational: number;
  transport: string | null;
  temperature_c: number | null;
  in_use_reason: string | null;
  confirm_name: string;
  smart_available: number;
  smart_reason: string | null;
  present: number;
  /** A loop device's backing file (its identity); null for other drives. */
  backing_file: string | null;
}

/** A drive as the API shows it: what the last scan found, and where it stands with Kiln. */
export interface DriveView extends Pick<
  ScannedDrive,
  "path" | "devName" | "devPath" | "serial" | "wwn" | "model" | "firmware" | "sizeBytes" | "rotational" | "transport" | "temperatureC" | "inUse" | "confirmName"
> {
  id: number;
  hostId: number;
  hostName: string;
  activeJobId: number | null;
  lastJobId: number | null;
  smartAvailable: boolean;
}

const VIEW_SQL = `
  SELECT d.*, h.name AS host_name,
         (SELECT id FROM jobs j WHERE j.drive_id = d.id AND j.status IN (${sqlList(ACTIVE_JOB_STATUSES)})) AS active_job_id,
         (SELECT max(id) FROM jobs j WHERE j.drive_id = d.id) AS last_job_id
    FROM drives d JOIN hosts h ON h.id = d.host_id`;

type ViewRow = DriveRow & { host_name: string; active_job_id: number | null; last_job_id: number | null };

function toView(r: ViewRow): DriveView {
  return {
    id: r.id,
    hostId: r.host_id,
    hostName: r.host_name,
    path: r.path,
    devName: r.dev_name,
    devPath: r.dev_path,
    serial: r.serial,
    wwn: r.wwn,
    model: r.model,
    firmware: r.firmware,
    sizeBytes: r.size_bytes,
    rotational: r.rotational === 1,
    transport: r.transport,
    temperatureC: r.temperature_c,
    inUse: r.in_use_reason ? { reason: r.in_use_reason } : null,
    activeJobId: r.active_job_id,
    lastJobId: r.last_job_id,
    confirmName: r.confirm_name,
    smartAvailable: r.smart_available === 1,
  };
}

export function listDriveViews(db: Db, hostId?: number): DriveView[] {
  const rows = (
    hostId === undefined
      ? db.prepare(`${VIEW_SQL} WHERE d.present = 1 ORDER BY h.name, d.dev_name`).all()
      : db.prepare(`${VIEW_SQL} WHERE d.present = 1 AND d.host_id = ? ORDER BY d.dev_name`).all(hostId)
  ) as ViewRow[];
  return rows.map(toView);
}

export function driveView(db: Db, id: number): DriveView | undefined {
  const row = db.prepare(`${VIEW_SQL} WHERE d.id = ?`).get(id) as ViewRow | undefined;
  return row && toView(row);
}

export function getDrive(db: Db, id: number): DriveRow | undefined {
  return db.prepare("SELECT * FROM drives WHERE id = ?").get(id) as DriveRow | undefined;
}

/**
 * Upserts the scanned drives by identity; after a full scan, drives no longer seen are marked
 * absent (a partial scan of some devices says nothing about the others). Returns their ids.
 */
export function upsertScannedDrives(db: Db, hostId: number, drives: ScannedDrive[], now = Date.now(), partial = false): number[] {
  const upsert = db.prepare(
    `INSERT INTO drives (host_id, identity_key, path, dev_name, dev_path, serial, wwn, model, firmware, size_bytes,
                         rotational, transport, temperature_c, in_use_reason, confirm_name, smart_available,
                         smart_reason, present, last_scan_at, backing_file)
     VALUES (@hostId, @identityKey, @path, @devName, @devPath, @serial, @wwn, @model, @firmware, @sizeBytes,
             @rotational, @transport, @temperatureC, @inUse, @confirmName, @smartAvailable, @smartReason, 1, @now, @backingFile)
     ON CONFLICT(host_id, identity_key) DO UPDATE SET
       path = excluded.path, dev_name = excluded.dev_name, dev_path = excluded.dev_path, serial = excluded.serial,
       wwn = excluded.wwn, model = excluded.model, firmware = excluded.firmware, size_bytes = excluded.size_bytes,
       rotational = excluded.rotational, transport = excluded.transport, temperature_c = excluded.temperature_c,
       in_use_reason = excluded.in_use_reason, confirm_name = excluded.confirm_name,
       smart_available = excluded.smart_available, smart_reason = excluded.smart_reason, present = 1,
       last_scan_at = excluded.last_scan_at, backing_file = excluded.backing_file
     RETURNING id`,
  );
  return db
    .transaction(() => {
      const ids = drives.map(
        (d) =>
          (
            upsert.get({
              hostId,
              identityKey: d.identityKey,
              path: d.path,
              devName: d.devName,
              devPath: d.devPath,
              serial: d.serial,
              wwn: d.wwn,
              model: d.model,
              firmware: d.firmware,
              sizeBytes: d.sizeBytes,
              rotational: d.rotational ? 1 : 0,
              transport: d.transport,
              temperatureC: d.temperatureC,
              inUse: d.inUse?.reason ?? null,
              confirmName: d.confirmName,
              smartAvailable: d.smart.available ? 1 : 0,
              smartReason: d.smart.reason ?? null,
              now: nowIso(now),
              backingFile: d.backingFile ?? null,
            }) as { id: number }
          ).id,
      );
      if (partial) return ids;
      const keep = new Set(ids);
      const all = db.prepare("SELECT id FROM drives WHERE host_id = ?").pluck().all(hostId) as number[];
      const gone = db.prepare("UPDATE drives SET present = 0 WHERE id = ?");
      for (const id of all) if (!keep.has(id)) gone.run(id);
      return ids;
    })
    .immediate();
}
