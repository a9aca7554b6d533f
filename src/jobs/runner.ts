// The scheduler: claims queued jobs from SQLite (compare-and-set), at most KILN_MAX_PARALLEL per host,
// and runs each job's stages in order. One bad job never stops the loop that runs the others.
import type { Db } from "../db/open.js";
import type { Logger } from "../log.js";
import type { HostRegistry } from "../hosts/registry.js";
import type { HostService } from "../hosts/service.js";
import { getHost } from "../hosts/repo.js";
import { getDrive } from "../drives/repo.js";
import { createStages, type Stages, type StuckLimits } from "../stages/index.js";
import type { StageResult } from "../stage-kit/types.js";
import { isBusy, retryBusy } from "../db/retry.js";
import type { JobHooks } from "./hooks.js";
import { stageRecorder } from "./recorder.js";
import { installId } from "./run-identity.js";
import { jobVerdict } from "./verdict.js";
import { FAILING_STAGE_STATUSES, OPEN_STAGE_STATUSES, STARTED_JOB_STATUSES, isTerminal } from "../status.js";
import {
  addJobEvent, countRunningOnHost, endOpenStages, getJob, getStages, jobsInStatus, transitionJob, transitionStage, type JobRow,
} from "./repo.js";

export interface RunnerDeps {
  db: Db;
  registry: HostRegistry;
  log: Logger;
  hooks: JobHooks;
  publish: (jobId: number) => void;
  /** The write gate's interval and the readers' poll interval, ms. */
  gateMs: number;
  pollMs: number;
  stuck: StuckLimits;
  hosts: HostService;
  maxParallel: number;
  tempSampleMs: number;
  alertUnreachableMs: number;
  /** Seconds between kept badblocks status lines (the squeezer's interval). */
  progressSeconds: number;
}

export class Runner {
  private stages: Stages;
  private aborts = new Map<number, AbortController>();
  private running = new Map<number, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;

  constructor(private deps: RunnerDeps) {
    const { registry, log, gateMs, pollMs, stuck } = deps;
    const { db } = deps;
    this.stages = createStages({
      port: (hostId) => registry.port(hostId), log, gateMs, pollMs, stuck,
      inOneTransaction: (write) => {
        try {
          return db.transaction(write).immediate();
        } catch (err) {
          if (isBusy(err)) return "busy";
          throw err;
        }
      },
    });
  }

  /**
   * Startup reconciliation, then the scheduler. Jobs left running or paused by the last Kiln are
   * re-attached: their stages continue from the saved state (a surface stage follows its detached
   * badblocks from the saved offset; one that ended meanwhile is read to its end). Queued jobs wait
   * in the queue as before. Idempotent: a job already attached here is not attached twice.
   */
  start(intervalMs = 1000): { reattached: number[]; queued: number[] } {
    const { db, log } = this.deps;
    const began = performance.now();
    const active = jobsInStatus(db, STARTED_JOB_STATUSES).filter((j) => !this.running.has(j.id));
    const queued = jobsInStatus(db, ["queued"]).map((j) => j.id);
    // Every re-attach note in one transaction: one disk sync for the fleet, not one per job.
    db.transaction(() => {
      for (const job of active) addJobEvent(db, job.id, "reattach", "Kiln restarted: re-attached to this job, continuing from the saved state");
    })();
    const noted = performance.now();
    // Each job's stages run up to their first wait here; a followed surface stage joins its host's
    // reader, whose first poll (scheduled, not started, by the first follow) reads every one of them.
    for (const job of active) this.launch(job);
    const ms = (t: number) => Math.round(t * 10) / 10;
    log.info(
      { reattached: active.map((j) => j.id), queued, notesMs: ms(noted - began), attachMs: ms(performance.now() - noted), perJobMs: active.length ? ms((performance.now() - began) / active.length) : 0 },
      `startup reconciliation: ${active.length} re-attached, ${queued.length} queued`,
    );
    this.timer = setInterval(() => this.wake(), intervalMs);
    this.wake();
    return { reattached: active.map((j) => j.id), queued };
  }

  wake(): void {
    if (this.ticking || !this.timer) return;
    this.ticking = true;
    try {
      this.tick();
    } catch (err) {
      if (!isBusy(err)) this.deps.log.error({ err }, "scheduler tick failed");
    } finally {
      this.ticking = false;
    }
  }

  private tick(): void {
    const { db } = this.deps;
    this.alertUnreachable();
    for (const job of jobsInStatus(db, ["queued"])) {
      if (countRunningOnHost(db, job.host_id) >= this.deps.maxParallel) continue;
      if (!transitionJob(db, job.id, "running")) continue; // someone else claimed or cancelled it
      addJobEvent(db, job.id, "started", "started");
      this.launch(getJob(db, job.id)!);
    }
  }

  /** One attention message per outage of a host unreachable for longer than the configured time. */
  private alertUnreachable(): void {
    const { db, hooks, alertUnreachableMs } = this.deps;
    const since = new Date(Date.now() - alertUnreachableMs).toISOString();
    const hosts = db
      .prepare("SELECT id, name, last_seen_at FROM hosts WHERE status = 'unreachable' AND coalesce(last_seen_at, created_at) < ?")
      .all(since) as { id: number; name: string; last_seen_at: string | null }[];
    for (const h of hosts) {
      hooks.runAttention(db, {
        reason: "host-unreachable", key: `unreachable:${h.id}:${h.last_seen_at ?? "never"}`, hostId: h.id,
        detail: `${h.name} has been unreachable since ${h.last_seen_at ?? "it was added"}; its burn-ins keep running there and Kiln reconnects when it can`,
      });
    }
  }

  /** Runs a claimed (running) job's remaining stages; also used to re-attach after a restart. */
  launch(job: JobRow): void {
    const abort = new AbortController();
    this.aborts.set(job.id, abort);
    if (job.cancel_requested) abort.abort(); // a cancel the last Kiln did not finish
    const p = this.runStages(job, abort.signal)
      .catch((err) => {
        this.deps.log.error({ err, jobId: job.id }, "job crashed");
        if (this.stopped) return;
        const { db, hooks } = this.deps;
        return retryBusy(() =>
          db.transaction(() => {
            if (!transitionJob(db, job.id, "unknown", { errorText: `internal error: ${(err as Error).message}` })) return;
            endOpenStages(db, job.id, OPEN_STAGE_STATUSES, "unknown");
            hooks.runEnded(db, job.id, "unknown");
          }).immediate(),
        );
      })
      .catch((err) => this.deps.log.error({ err, jobId: job.id }, "could not record a crashed job as unknown"))
      .finally(() => {
        if (this.stopped) return;
        this.aborts.delete(job.id);
        this.running.delete(job.id);
        this.deps.publish(job.id);
        this.wake();
      });
    this.running.set(job.id, p);
  }

  private async runStages(job: JobRow, signal: AbortSignal): Promise<void> {
    const { db } = this.deps;
    const log = this.deps.log.child({ jobId: job.id });
    let failure: string | null = null;
    for (const stage of getStages(db, job.id)) {
      if (isTerminal(getJob(db, job.id)!.status)) return; // ended elsewhere (abandoned): run nothing more
      if (["passed", "skipped"].includes(stage.status)) continue;
      // A stage that already ended is never run again: its row is its verdict (a restart after a
      // crash between a stage's failed transition and the job's end must not run it to a pass).
      if (FAILING_STAGE_STATUSES.includes(stage.status)) {
        failure ??= `${stage.name}: ${stage.error_text ?? stage.status}`;
        continue;
      }
      if (stage.status === "pending" && (signal.aborted || getJob(db, job.id)!.cancel_requested)) {
        await retryBusy(() => transitionStage(db, stage.id, "cancelled"));
        continue;
      }
      if (failure) {
        await retryBusy(() => transitionStage(db, stage.id, "skipped", { errorText: "not run: an earlier stage did not pass" }));
        continue;
      }
      // A stage re-attached after a restart is unchanged: its next progress commit publishes it
      // (600 snapshots built here would hold up the first poll of every host).
      if (stage.status === "pending") {
        await retryBusy(() => transitionStage(db, stage.id, "running"));
        this.deps.publish(job.id);
      }
      const drive = getDrive(db, job.drive_id)!;
      const host = getHost(db, job.host_id)!;
      let result: StageResult;
      try {
        result = await this.stages.byName[stage.name].run({
          job: getJob(db, job.id)!, stage: getStages(db, job.id).find((s) => s.id === stage.id)!, drive, host,
          port: this.deps.registry.port(host.id),
          recorder: stageRecorder(this.deps, { jobId: job.id, stageId: stage.id, hostId: host.id, driveId: drive.id }),
          installId: installId(db), signal, stopping: this.stopping.signal, tempSampleMs: this.deps.tempSampleMs,
          progressSeconds: this.deps.progressSeconds, log: log.child({ stage: stage.name }),
        });
      } catch (err) {
        result = { status: signal.aborted ? "cancelled" : "unknown", errorText: (err as Error).message };
      }
      if (this.stopped) return; // Kiln is shutting down: the stage's state stays for the next start
      await retryBusy(() => transitionStage(db, stage.id, result.status, {
        errorText: result.errorText, percent: result.status === "passed" ? 100 : undefined,
      }));
      log.info({ stage: stage.name, ...result }, "stage ended");
      if (result.status !== "passed" && result.status !== "skipped") failure = `${stage.name}: ${result.errorText ?? result.status}`;
      this.deps.publish(job.id);
    }
    // The verdict comes from the stage rows as committed, never from what this run remembers.
    const verdict = jobVerdict(getStages(db, job.id).map((s) => s.status));
    const ended = await retryBusy(() =>
      db.transaction(() => {
        if (!transitionJob(db, job.id, verdict, { errorText: verdict === "passed" ? null : failure ?? "no stage passed" })) return false;
        addJobEvent(db, job.id, "ended", verdict === "passed" ? "passed" : `${verdict}: ${failure ?? ""}`);
        this.deps.hooks.runEnded(db, job.id, verdict);
        return true;
      }).immediate(),
    );
    if (ended) log.info({ verdict }, "job ended");
  }

  cancel(jobId: number): void {
    this.aborts.get(jobId)?.abort();
  }

  /** A job an admin abandoned (its host is gone): stop running and following it here. */
  abandon(jobId: number, errorText: string): void {
    this.aborts.get(jobId)?.abort();
    this.stages.release(jobId, errorText);
  }

  private stopped = false;
  private stopping = new AbortController();

  /** Stops scheduling and reading; commits what the gate holds. Remote processes keep running. */
  stop(): void {
    this.stopped = true;
    this.stopping.abort();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stages.stop();
  }
}
