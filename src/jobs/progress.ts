// A job's overall percent and ETA: every stage weighted by its expected duration on this drive
// (drive-reported self-test minutes, size ÷ measured speed), paused time left out of the ETA.
import type { Db } from "../db/open.js";
import { DEFAULT_PATTERNS } from "../badblocks/phases.js";
import { etaSeconds, overallPercent, type DriveFacts, type StageName } from "../stage-kit/plan.js";
import { surfaceView } from "../stages/index.js";
import { latestSnapshot } from "../smart/store.js";
import { getJob, getStages, pausedMs } from "./repo.js";

const SMART_STAGES = ["smart_short", "smart_long", "final_check"];

export function jobProgress(
  db: Db,
  jobId: number,
  current: { stageId: number; percent: number },
  now: number,
): { percent: number; etaSeconds: number | null } {
  const job = getJob(db, jobId)!;
  const drive = db.prepare("SELECT size_bytes, smart_available FROM drives WHERE id = ?").get(job.drive_id) as {
    size_bytes: number;
    smart_available: number;
  };
  const rows = getStages(db, jobId);
  const options = JSON.parse(job.options_json) as { patterns?: string[] };
  const surface = rows.find((s) => s.name === "surface_validate");
  const mbps = surface ? surfaceView(surface, drive.size_bytes, job.options_json).mbps : null;
  const polling = latestSnapshot(db, jobId, "before")?.snapshot.selfTest.pollingMinutes;
  const facts: DriveFacts = {
    sizeBytes: drive.size_bytes,
    patternCount: (options.patterns ?? DEFAULT_PATTERNS).length,
    measuredBytesPerSecond: mbps ? mbps * 1e6 : null,
    shortTestMinutes: polling?.short ?? null,
    extendedTestMinutes: polling?.extended ?? null,
  };
  // SMART stages on a drive without SMART will be skipped: they weigh nothing even while pending.
  const stages = rows.map((s) => ({
    name: s.name as StageName,
    status: drive.smart_available !== 1 && SMART_STAGES.includes(s.name) ? "skipped" : s.status,
    percent: s.id === current.stageId ? current.percent : s.percent,
  }));
  const percent = overallPercent(stages, facts);
  const elapsed = job.started_at ? (now - Date.parse(job.started_at) - pausedMs(db, jobId, now)) / 1000 : 0;
  return { percent, etaSeconds: etaSeconds(elapsed, percent) };
}
