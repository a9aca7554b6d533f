// The job history: filters (status, drive, host, date range, serial) for GET /api/v1/jobs and the
// CSV export, parsed from a query string at the edge and applied in one SQL query.
import type { Db } from "../db/open.js";
import { InvalidInputError } from "../errors.js";
import { JOB_STATUSES } from "../status.js";

export interface HistoryFilter {
  status?: string | undefined;
  driveId?: number | undefined;
  /** A host id, or a host name. */
  host?: number | string | undefined;
  /** Inclusive lower bound on the job's start (its creation when it never started), ISO. */
  from?: string | undefined;
  /** Exclusive upper bound, ISO; a bare date given as `to` covers that whole day. */
  to?: string | undefined;
  /** Case-insensitive substring of the drive's serial or WWN. */
  serial?: string | undefined;
  batchId?: string | undefined;
  limit?: number | undefined;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;

/** A calendar day that exists: Date.parse rolls 2025-02-30 over to 2 March instead of refusing it. */
function realDay(value: string): boolean {
  const t = Date.parse(`${value.slice(0, 10)}T00:00:00.000Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === value.slice(0, 10);
}

function isoBound(value: string, name: string, endOfDay: boolean): string {
  if (DATE.test(value)) {
    if (!realDay(value)) throw new InvalidInputError(`${name} is not a valid date`);
    const t = Date.parse(`${value}T00:00:00.000Z`);
    return new Date(endOfDay ? t + 86_400_000 : t).toISOString();
  }
  if (!DATETIME.test(value) || !realDay(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidInputError(`${name} must be a date (YYYY-MM-DD) or an ISO date-time`);
  }
  return new Date(Date.parse(value)).toISOString();
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

/** Validates the query string of the history endpoints; throws 400 with a readable reason. */
export function parseHistoryQuery(q: Record<string, unknown>): HistoryFilter {
  const status = str(q.status);
  if (status && !(JOB_STATUSES as readonly string[]).includes(status)) throw new InvalidInputError(`unknown status ${status}`);
  const driveRaw = str(q.driveId);
  const driveId = driveRaw === undefined ? undefined : Number(driveRaw);
  if (driveId !== undefined && !Number.isSafeInteger(driveId)) throw new InvalidInputError("driveId must be a number");
  const hostRaw = str(q.host);
  const host = hostRaw === undefined ? undefined : /^\d+$/.test(hostRaw) ? Number(hostRaw) : hostRaw;
  const from = str(q.from);
  const to = str(q.to);
  const serial = str(q.serial);
  if (serial && serial.length > 128) throw new InvalidInputError("serial is too long");
  const batchId = str(q.batchId);
  const limitRaw = str(q.limit);
  const limit = limitRaw === undefined ? undefined : Number(limitRaw);
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000)) {
    throw new InvalidInputError("limit must be 1 to 10000");
  }
  return {
    status, driveId, host, serial, batchId, limit,
    from: from === undefined ? undefined : isoBound(from, "from", false),
    to: to === undefined ? undefined : isoBound(to, "to", true),
  };
}

/**
 * The serial filter as a condition on j.drive_id: a fragment of 3 characters or more is looked up in
 * the drives' trigram index (migration 015), a shorter one by reading every drive's serial and WWN.
 * Both match a case-insensitive substring of either.
 */
function serialMatch(fragment: string): [string, ...string[]] {
  if ([...fragment].length >= 3) {
    return ["j.drive_id IN (SELECT rowid FROM drives_serial WHERE drives_serial MATCH ?)", `"${fragment.replace(/"/g, '""')}"`];
  }
  return ["j.drive_id IN (SELECT id FROM drives WHERE instr(lower(coalesce(serial, '')), lower(?)) > 0 OR instr(lower(coalesce(wwn, '')), lower(?)) > 0)", fragment, fragment];
}

/**
 * The filter as a WHERE clause over jobs j, drives d and hosts h (with its arguments); `beforeId`
 * continues a list newest first after the job with that id (one page after another).
 */
export function historyWhere(f: HistoryFilter, beforeId?: number): { sql: string; args: (string | number)[] } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  const add = (sql: string, ...values: (string | number)[]) => {
    where.push(sql);
    args.push(...values);
  };
  if (f.status) add("j.status = ?", f.status);
  if (f.driveId !== undefined) add("j.drive_id = ?", f.driveId);
  if (typeof f.host === "number") add("j.host_id = ?", f.host);
  if (typeof f.host === "string") add("h.name = ?", f.host);
  // A range with both ends is read from the start-time indexes (migration 015). An open end is read
  // newest first instead: from a date on, the newest jobs match first ("+" keeps SQLite off the index).
  const started = f.from && f.to ? "coalesce(j.started_at, j.created_at)" : "+coalesce(j.started_at, j.created_at)";
  if (f.from) add(`${started} >= ?`, f.from);
  if (f.to) add(`${started} < ?`, f.to);
  if (f.serial) add(...serialMatch(f.serial));
  if (f.batchId) add("j.batch_id = ?", f.batchId);
  if (beforeId !== undefined) add("j.id < ?", beforeId);
  return { sql: where.length ? `WHERE ${where.join(" AND ")}` : "", args };
}

/** Ids of the matching jobs, newest first. */
export function findJobIds(db: Db, f: HistoryFilter): number[] {
  const w = historyWhere(f);
  const sql = `SELECT j.id FROM jobs j JOIN drives d ON d.id = j.drive_id JOIN hosts h ON h.id = j.host_id ${w.sql} ORDER BY j.id DESC LIMIT ?`;
  return db.prepare(sql).pluck().all(...w.args, f.limit ?? 200) as number[];
}
