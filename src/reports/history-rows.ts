// Flat rows of the job history (one per job, with its drive and host) from one query, for the
// history page, the CSV export (page by page) and the batch page.
import type { Db } from "../db/open.js";
import { historyWhere, type HistoryFilter } from "../jobs/history.js";
import { secondsBetween } from "./model.js";

export interface HistoryRow {
  jobId: number;
  driveId: number;
  hostId: number;
  batchId: string | null;
  host: string;
  drive: string;
  model: string | null;
  serial: string | null;
  wwn: string | null;
  sizeBytes: number;
  rotational: boolean;
  transport: string | null;
  status: string;
  stages: string;
  badBlocks: number;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationSeconds: number | null;
  errorText: string | null;
}

/** A row of historyPage's query, as an array (better-sqlite3's `raw()`: 10,000 rows of 20 named keys cost ~3x more). */
type Row = [
  id: number, drive_id: number, host_id: number, batch_id: string | null, status: string, stages_json: string, bad_block_count: number,
  created_by: string | null, created_at: string, started_at: string | null, finished_at: string | null, error_text: string | null,
  host_name: string, dev_name: string, model: string | null, serial: string | null, wwn: string | null, size_bytes: number,
  rotational: number, transport: string | null,
];

/**
 * The history page's list (`GET /api/v1/jobs?view=rows`): one flat row per job with its drive and
 * host, from one query, instead of a full job snapshot each (a dozen queries and two SMART readings).
 */
export function historyListItem(r: HistoryRow) {
  return {
    id: r.jobId, driveId: r.driveId, hostId: r.hostId, host: r.host, batchId: r.batchId, status: r.status,
    badBlockCount: r.badBlocks, createdAt: r.createdAt, startedAt: r.startedAt, finishedAt: r.finishedAt, errorText: r.errorText,
    drive: { devName: r.drive, model: r.model, serial: r.serial, wwn: r.wwn, sizeBytes: r.sizeBytes, rotational: r.rotational, transport: r.transport },
  };
}

/** The matching jobs as flat rows, newest first: `filter.limit` of them (default 200). */
export function historyRows(db: Db, filter: HistoryFilter): HistoryRow[] {
  return historyPage(db, filter, undefined, filter.limit ?? 200);
}

/** One page of the matching rows, newest first, after the job `beforeId` (from the newest when undefined). */
export function historyPage(db: Db, filter: HistoryFilter, beforeId: number | undefined, limit: number): HistoryRow[] {
  const w = historyWhere(filter, beforeId);
  const rows = db
    .prepare(
      `SELECT j.id, j.drive_id, j.host_id, j.batch_id, j.status, j.stages_json, j.bad_block_count, j.created_by, j.created_at,
              j.started_at, j.finished_at, j.error_text, h.name AS host_name, d.dev_name, d.model, d.serial, d.wwn, d.size_bytes,
              d.rotational, d.transport
         FROM jobs j JOIN drives d ON d.id = j.drive_id JOIN hosts h ON h.id = j.host_id
        ${w.sql} ORDER BY j.id DESC LIMIT ?`,
    )
    .raw()
    .all(...w.args, limit) as Row[];
  // A page's jobs share a few stage lists: each distinct one is parsed once.
  const stageLists = new Map<string, string>();
  const stagesOf = (json: string) => {
    let text = stageLists.get(json);
    if (text === undefined) stageLists.set(json, (text = (JSON.parse(json) as string[]).join(" ")));
    return text;
  };
  return rows.map(([id, driveId, hostId, batchId, status, stagesJson, badBlocks, createdBy, createdAt, startedAt, finishedAt, errorText, host, drive, model, serial, wwn, sizeBytes, rotational, transport]) => ({
    jobId: id,
    driveId,
    hostId,
    batchId,
    host,
    drive,
    model,
    serial,
    wwn,
    sizeBytes,
    rotational: rotational === 1,
    transport,
    status,
    stages: stagesOf(stagesJson),
    badBlocks,
    createdBy,
    createdAt,
    startedAt,
    finishedAt,
    durationSeconds: secondsBetween(startedAt, finishedAt),
    errorText,
  }));
}
