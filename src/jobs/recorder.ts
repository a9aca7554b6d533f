// The stage recorder (stage-kit/types.ts StageRecorder): everything a stage writes down about its
// job, and reads back, in SQL here so that stages hold none. One per running stage.
import type { Db } from "../db/open.js";
import { isBusy, retryBusy } from "../db/retry.js";
import { PERCENT_BEFORE_END } from "../percent.js";
import { getDrive } from "../drives/repo.js";
import type { HostService } from "../hosts/service.js";
import { latestSnapshot, saveSnapshot, setDriveTemperature } from "../smart/store.js";
import type { StageRecorder } from "../stage-kit/types.js";
import type { JobHooks } from "./hooks.js";
import { jobProgress } from "./progress.js";
import {
  addJobEvent, badBlocksOf, commitProgress, getJob, getStage, logTailOf, replaceBadBlocks, setActiveJobErrorText,
  setJobProgress, setStageDetail, setStagePgid, setStageResume, setStageRun, transitionJob,
} from "./repo.js";
import { recordSample } from "./samples.js";

export interface RecorderDeps {
  db: Db;
  hooks: JobHooks;
  hosts: HostService;
  publish: (jobId: number) => void;
}

export function stageRecorder(deps: RecorderDeps, ids: { jobId: number; stageId: number; hostId: number; driveId: number }): StageRecorder {
  const { db, hooks } = deps;
  const { jobId, stageId, hostId, driveId } = ids;
  const publish = () => deps.publish(jobId);
  return {
    note: (kind, text) => addJobEvent(db, jobId, kind, text),
    publish,
    attention: (reason, key, detail) => hooks.runAttention(db, { reason, key, hostId, jobId, detail }),
    percent(pct) {
      const p = Math.max(0, Math.min(PERCENT_BEFORE_END, pct));
      db.prepare("UPDATE stages SET percent = ? WHERE id = ? AND status = 'running'").run(p, stageId);
      const job = jobProgress(db, jobId, { stageId, percent: p }, Date.now());
      setJobProgress(db, jobId, job.percent, job.etaSeconds);
      publish();
    },
    detail() {
      const kept = getStage(db, stageId)?.detail_json;
      return kept ? (JSON.parse(kept) as object) : null;
    },
    setDetail: (detail) => setStageDetail(db, stageId, detail),
    stage: () => getStage(db, stageId)!,
    drive: () => getDrive(db, driveId),
    rescan: (devNames) => deps.hosts.scan(hostId, devNames),
    smartAwake() {
      db.prepare("UPDATE drives SET smart_available = 1, smart_reason = NULL WHERE id = ?").run(driveId);
    },
    temperature: (c) => setDriveTemperature(db, driveId, c),
    saveSmart(kind, snapshot, raw) {
      saveSnapshot(db, jobId, kind, snapshot, raw);
    },
    smartBefore: () => latestSnapshot(db, jobId, "before"),
    recordRun: (dir, token) => retryBusy(() => setStageRun(db, stageId, dir, token)),
    recordPgid: (pgid) => retryBusy(() => setStagePgid(db, stageId, pgid)),
    async resume(plan) {
      await retryBusy(() => setStageResume(db, stageId, plan));
      return getStage(db, stageId)!;
    },
    problem: (text) => retryBusy(() => setActiveJobErrorText(db, jobId, text)),
    badBlocks: () => badBlocksOf(db, jobId),
    replaceBadBlocks: (blocks) => retryBusy(() => replaceBadBlocks(db, jobId, blocks)),
    logTail: () => logTailOf(db, jobId),
    async pause(note, detail) {
      await retryBusy(() => transitionJob(db, jobId, "paused"));
      addJobEvent(db, jobId, "paused", note);
      const n = db.prepare("SELECT count(*) FROM job_events WHERE job_id = ? AND kind = 'paused'").pluck().get(jobId);
      hooks.runAttention(db, { reason: "temperature-pause", key: `paused:${jobId}:${n}`, hostId, jobId, detail });
      publish();
    },
    async continue(note) {
      await retryBusy(() => transitionJob(db, jobId, "running"));
      addJobEvent(db, jobId, "resumed-temp", note);
      publish();
    },
    async unpause() {
      await retryBusy(() => transitionJob(db, jobId, "running", { onlyFrom: ["paused"] }));
    },
    isPaused: () => getJob(db, jobId)?.status === "paused",
    commitProgress(p, now) {
      if (!getJob(db, jobId)) return "gone";
      const job = jobProgress(db, jobId, { stageId, percent: p.stagePercent }, now);
      try {
        commitProgress(db, { ...p, jobId, stageId, jobPercent: job.percent, etaSeconds: job.etaSeconds });
      } catch (err) {
        if (isBusy(err)) return "busy";
        throw err;
      }
      return job.percent;
    },
    sample(at, mbps, percent) {
      const temperatureC = getDrive(db, driveId)?.temperature_c ?? null;
      try {
        recordSample(db, jobId, { at: new Date(at).toISOString(), temperatureC, mbps, percent });
      } catch (err) {
        if (!isBusy(err)) throw err;
      }
    },
  };
}
