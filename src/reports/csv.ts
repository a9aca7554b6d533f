// RFC 4180 CSV of the job history. Text cells that a spreadsheet would run as a formula
// (=, +, -, @, tab, CR) are prefixed with an apostrophe. Pure.
import type { HistoryRow } from "./history-rows.js";

const HISTORY_COLUMNS = [
  "jobId", "batchId", "host", "drive", "model", "serial", "wwn", "sizeBytes", "status", "stages", "badBlocks",
  "createdBy", "createdAt", "startedAt", "finishedAt", "durationSeconds", "errorText",
] as const satisfies readonly (keyof HistoryRow)[];

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(value);
  let s = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const HISTORY_HEADER = `${HISTORY_COLUMNS.join(",")}\r\n`;

/** The rows' CSV lines, each ended by CRLF (no header). */
export function historyCsvLines(rows: HistoryRow[]): string {
  let out = "";
  for (const row of rows) out += `${HISTORY_COLUMNS.map((c) => csvCell(row[c])).join(",")}\r\n`;
  return out;
}

/** The whole CSV of these rows: header and lines. */
export function historyCsv(rows: HistoryRow[]): string {
  return HISTORY_HEADER + historyCsvLines(rows);
}
