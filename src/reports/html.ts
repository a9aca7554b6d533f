// What views/report.njk and views/batch.njk are given: the report's data plus the printable strings,
// with the long lists cut so a report stays on one or two A4 pages (the JSON keeps everything).
import type { JobReport } from "./model.js";
import { formatBytes, formatDuration, formatTime } from "./format.js";
import type { HistoryRow } from "./history-rows.js";

export const HTML_MAX_BAD_BLOCKS = 120;
export const HTML_MAX_NOTES = 18;

export function reportPage(r: JobReport) {
  const notes = r.notes.filter((n) => n.kind !== "launch");
  return {
    title: `Burn-in report · job ${r.jobId}`,
    r,
    verdictClass: `verdict-${r.verdict.status}`,
    capacity: r.drive.capacityBytes === null ? "—" : `${formatBytes(r.drive.capacityBytes)} (${r.drive.capacityBytes.toLocaleString("en-US")} bytes)`,
    started: formatTime(r.startedAt),
    finished: formatTime(r.finishedAt),
    duration: formatDuration(r.durationSeconds),
    generated: formatTime(r.generatedAt),
    stages: r.stages.map((s) => ({
      ...s, started: formatTime(s.startedAt), finished: formatTime(s.finishedAt), duration: formatDuration(s.durationSeconds),
    })),
    badBlocksShown: r.badBlocks.blocks.slice(0, HTML_MAX_BAD_BLOCKS),
    badBlocksMore: Math.max(0, r.badBlocks.count - HTML_MAX_BAD_BLOCKS),
    notesShown: notes.slice(-HTML_MAX_NOTES).map((n) => ({ ...n, time: formatTime(n.at) })),
    notesMore: Math.max(0, notes.length - HTML_MAX_NOTES),
    smartBefore: r.smart?.before ? { ...r.smart.before, time: formatTime(r.smart.before.takenAt) } : null,
    smartAfter: r.smart?.after ? { ...r.smart.after, time: formatTime(r.smart.after.takenAt) } : null,
  };
}

export function batchPage(batchId: string, rows: HistoryRow[]) {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
  return {
    title: `Batch ${batchId.slice(0, 8)}`,
    batchId,
    rows: rows.map((row) => ({
      ...row,
      capacity: formatBytes(row.sizeBytes),
      started: formatTime(row.startedAt),
      duration: formatDuration(row.durationSeconds),
    })),
    summary: Object.entries(counts).map(([status, count]) => ({ status, count })),
    allEnded: rows.every((row) => ["passed", "failed", "cancelled", "unknown"].includes(row.status)),
  };
}
