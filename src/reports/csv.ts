// RFC 4180 CSV of the job history. Text cells that a spreadsheet would run as a formula
// (=, +, -, @, tab, CR) are prefixed with an apostrophe. Pure.
import type { HistoryRow } from "./history-rows.js";

const HISTORY_COLUMNS = [
  "jobId", "batchId", "host", "drive", "model", "serial", "wwn", "sizeBytes", "status", "stages", "badBlocks",
  "createdBy", "createdAt", "startedAt", "finishedAt", "durationSeconds", "errorText",
] as const satisfies readonly (keyof HistoryRow)[];

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let s = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function historyCsv(rows: HistoryRow[]): string {
  const lines = [HISTORY_COLUMNS.join(",")];
  for (const row of rows) lines.push(HISTORY_COLUMNS.map((c) => csvCell(row[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
