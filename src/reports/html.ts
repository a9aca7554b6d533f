// What views/report.njk and views/batch.njk are given: the report's data plus the printable strings,
// with the long lists cut so a report stays on one or two A4 pages (the JSON keeps everything).
import type { JobReport } from "./model.js";
import { formatBytes, formatDuration, formatTime } from "./format.js";
import type { BatchDrive } from "./batch-load.js";
import { secondsBetween } from "./model.js";
import { speedChart } from "./speed-chart.js";
import { isTerminal } from "../status.js";

const HTML_MAX_BAD_BLOCKS = 120;
const HTML_MAX_NOTES = 18;

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
    speedVs: signedPct(r.speed.comparison?.vsSiblingsPct ?? null),
  };
}

/** "+1.2 %" / "−31.0 %"; empty for null. */
function signedPct(v: number | null): string {
  if (v === null) return "";
  return `${v > 0 ? "+" : v < 0 ? "−" : "±"}${Math.abs(v).toFixed(1)} %`;
}

/** The batch side by side: verdicts, new-drive verdicts, speed per pattern and across the disk, temperatures. */
export function batchPage(batchId: string, drives: BatchDrive[]) {
  const counts: Record<string, number> = {};
  for (const d of drives) counts[d.status] = (counts[d.status] ?? 0) + 1;
  const patterns = [...new Set(drives.flatMap((d) => d.profile?.patterns.map((p) => p.pattern) ?? []))];
  const label = (d: BatchDrive) => `job ${d.jobId} · ${d.devName}`;
  return {
    title: `Batch ${batchId.slice(0, 8)}`,
    batchId,
    rows: drives.map((d) => ({
      ...d,
      drive: d.devName,
      label: label(d),
      capacity: formatBytes(d.sizeBytes),
      started: formatTime(d.startedAt),
      duration: formatDuration(secondsBetween(d.startedAt, d.finishedAt)),
      temperatureText: d.temperature ? `${d.temperature.minC}–${d.temperature.maxC} °C` : "not read",
      vsSiblings: signedPct(d.speed.vsSiblingsPct),
      patternCells: patterns.map((p) => {
        const c = d.speed.patterns.find((x) => x.pattern === p);
        return { pattern: p, mbps: c?.mbps ?? null, vs: signedPct(c?.vsSiblingsPct ?? null) };
      }),
      slowRegions: new Set(d.speed.flags.filter((f) => f.kind === "slow-region").map((f) => f.region)),
    })),
    patterns,
    regionHeads: (drives.find((d) => d.speed.regions.length)?.speed.regions ?? []).map((r) => r.where),
    chart: speedChart(drives.filter((d) => d.profile).map((d) => ({ label: label(d), values: d.profile!.regionMbps, flagged: d.speed.slow }))),
    slowCount: drives.filter((d) => d.speed.slow).length,
    summary: Object.entries(counts).map(([status, count]) => ({ status, count })),
    allEnded: drives.every((d) => isTerminal(d.status)),
  };
}
