// One reader per host serves all of that host's followed stages: each poll is a single exec (one
// SSH channel) that returns the new bytes of every job's log. Commits pass through the write gate.
import type { Db } from "../db/open.js";
import type { Logger } from "../log.js";
import type { HostRegistry } from "../hosts/registry.js";
import { summary, type ProgressState } from "../badblocks/progress.js";
import { isBusy } from "../db/retry.js";
import { shouldCommit } from "./gate.js";
import type { JobHooks } from "../jobs/hooks.js";
import { Follower, type FollowSpec, type Outcome, type StuckLimits } from "./follower.js";
import { addJobEvent, commitProgress, getJob, getStage } from "../jobs/repo.js";
import { jobProgress } from "../jobs/progress.js";
import { recordSample, SAMPLE_EVERY_MS } from "../jobs/samples.js";
import { surfaceView } from "./view.js";

/** Bytes of log read per job per poll; a reader that fell behind catches up in steps of this. */
const MAX_BYTES_PER_POLL = 1 << 20;
const MAX_BACKOFF_MS = 60_000;

/** A followed run's end: the verdict, whether its process must still be stopped (stuck), its final parser state. */
export type FollowEnd = Outcome & { kill?: boolean; state: ProgressState };

interface Entry {
  follower: Follower;
  resolve: (v: FollowEnd) => void;
}

export interface ReaderDeps {
  db: Db;
  registry: HostRegistry;
  log: Logger;
  gateMs: number;
  pollMs: number;
  stuck: StuckLimits;
  hooks: JobHooks;
  publish: (jobId: number) => void;
}

export class HostReader {
  private entries = new Map<number, Entry>();
  private loop: Promise<void> | null = null;
  private stopped = false;
  private failures = 0;
  commits = 0;

  constructor(
    readonly hostId: number,
    private deps: ReaderDeps,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  follow(spec: FollowSpec): Promise<FollowEnd> {
    return new Promise((resolve) => {
      this.entries.set(spec.stageId, { follower: new Follower(spec), resolve });
      // The loop starts on the next turn of the event loop: stages that follow together (every job
      // re-attached at a restart) share the first poll instead of the first one polling alone.
      this.loop ??= new Promise<void>((r) => setImmediate(r))
        .then(() => this.run())
        .catch((err) => this.deps.log.error({ err }, "reader loop ended by an error"))
        .finally(() => (this.loop = null));
    });
  }

  /**
   * Stops following a job that ended elsewhere (abandoned by an admin): its followed stages end
   * `unknown` now, without waiting for a host that may never answer again.
   */
  release(jobId: number, errorText: string): void {
    for (const [stageId, e] of this.entries) {
      if (e.follower.spec.jobId !== jobId) continue;
      this.entries.delete(stageId);
      e.resolve({ status: "unknown", errorText, resumable: false, state: e.follower.state });
    }
  }

  markCancelled(stageId: number): void {
    const e = this.entries.get(stageId);
    if (e) e.follower.cancelRequested = true;
  }

  /**
   * Commits what the gate holds and stops polling; followed processes keep running on the host.
   * Does not wait for a poll in flight: its answer is dropped (the offsets in the DB cover only
   * what was committed, so the next Kiln reads those bytes again).
   */
  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) {
      if (e.follower.gate.dirty) {
        try {
          this.commit(e.follower, Date.now());
        } catch (err) {
          this.deps.log.warn({ err, jobId: e.follower.spec.jobId }, "could not commit on shutdown");
        }
      }
    }
  }

  /**
   * Polls on a fixed schedule (every pollMs from the start of the last poll, or with backoff after
   * a failure). Between polls, progress held back by the gate is committed the moment its gate
   * opens, so a line waits at most the gate interval, not the gate plus a poll.
   */
  private async run(): Promise<void> {
    while (this.entries.size > 0 && !this.stopped) {
      const started = Date.now();
      try {
        await this.poll();
      } catch (err) {
        // One bad poll (a corrupt answer, a DB error) must not end the reader of every job on the host.
        this.deps.log.error({ err }, "poll failed");
      }
      // Each poll costs the storage host CPU (a shell walk over every job's files): however many
      // jobs there are, it polls at most a quarter of the time.
      const took = Date.now() - started;
      const wait = this.failures === 0
        ? Math.max(this.deps.pollMs - took, 3 * took)
        : Math.min(MAX_BACKOFF_MS, this.deps.pollMs * 2 ** this.failures);
      try {
        await this.waitFlushing(Date.now() + wait);
      } catch (err) {
        // An unexpected DB error while flushing: logged, and the next poll tries again.
        this.deps.log.error({ err }, "committing held progress failed");
        await new Promise((r) => setTimeout(r, this.deps.pollMs));
      }
    }
  }

  private async waitFlushing(until: number): Promise<void> {
    let flushing = true;
    while (!this.stopped) {
      const now = Date.now();
      let next = until;
      if (flushing) {
        for (const { follower: f } of this.entries.values()) {
          if (f.gate.dirty && f.gate.lastCommitAt !== null) next = Math.min(next, f.gate.lastCommitAt + this.deps.gateMs);
        }
      }
      if (next > now) await new Promise((r) => setTimeout(r, next - now));
      if (this.stopped || Date.now() >= until) return;
      const at = Date.now();
      for (const { follower: f } of this.entries.values()) {
        // Database busy: leave it to the next poll rather than spin on the lock.
        if (f.gate.dirty && shouldCommit(f.gate, at, this.deps.gateMs) && !this.commit(f, at)) flushing = false;
      }
    }
  }

  private async poll(): Promise<void> {
    const list = [...this.entries.values()];
    const reqs = list.map(({ follower: f }) => ({
      key: String(f.spec.stageId),
      jobDir: f.spec.jobDir,
      owner: f.spec.owner,
      logOffset: f.logOffset,
      bbOffset: f.bbOffset,
      maxBytes: MAX_BYTES_PER_POLL,
    }));
    let reads;
    try {
      reads = await this.deps.registry.port(this.hostId).read(reqs);
      if (this.stopped) return;
    } catch (err) {
      if (this.stopped) return;
      if (this.failures++ === 0) {
        for (const { follower: f } of list) this.note(f.spec.jobId, "contact", `lost contact with the host: ${(err as Error).message}`);
      }
      this.deps.log.warn({ err: (err as Error).message, failures: this.failures }, "reading job logs failed");
      return;
    }
    if (this.failures > 0) {
      for (const { follower: f } of list) this.note(f.spec.jobId, "contact", "contact with the host restored");
      this.failures = 0;
    }
    const now = Date.now();
    const paused = this.pausedJobs(list.map((e) => e.follower.spec.jobId));
    for (const entry of list) {
      const f = entry.follower;
      f.paused = paused.has(f.spec.jobId);
      const step = f.apply(reads.get(String(f.spec.stageId)), now, this.deps.gateMs, this.deps.stuck);
      if (step.note) {
        this.note(f.spec.jobId, "stuck", step.note);
        this.deps.hooks.runAttention(this.deps.db, {
          reason: "stuck-job", key: `stuck:${f.spec.jobId}:${f.logOffset}`, hostId: this.hostId, jobId: f.spec.jobId, detail: step.note,
        });
      }
      if (!step.commit) continue;
      if (!this.commit(f, now)) continue; // database busy: the follower keeps its state, retried next poll
      if (step.outcome) {
        this.entries.delete(f.spec.stageId);
        entry.resolve({ ...step.outcome, kill: step.kill, state: f.state });
      }
    }
  }

  /** One temperature/throughput sample per job per minute, for the drawer's charts. */
  private lastSample = new Map<number, number>();
  private sample(f: Follower, jobId: number, percent: number, now: number): void {
    if (now - (this.lastSample.get(jobId) ?? 0) < SAMPLE_EVERY_MS) return;
    this.lastSample.set(jobId, now);
    const stage = getStage(this.deps.db, f.spec.stageId);
    const drive = this.deps.db.prepare("SELECT d.size_bytes, d.temperature_c FROM drives d JOIN jobs j ON j.drive_id = d.id WHERE j.id = ?")
      .get(jobId) as { size_bytes: number; temperature_c: number | null } | undefined;
    if (!stage || !drive) return;
    const job = getJob(this.deps.db, jobId)!;
    const view = surfaceView(stage, drive.size_bytes, job.options_json);
    try {
      recordSample(this.deps.db, jobId, { at: new Date(now).toISOString(), temperatureC: drive.temperature_c, mbps: view.mbps, percent });
    } catch (err) {
      if (!isBusy(err)) throw err;
    }
  }

  private pausedJobs(ids: number[]): Set<number> {
    if (ids.length === 0) return new Set();
    const rows = this.deps.db
      .prepare(`SELECT id FROM jobs WHERE status = 'paused' AND id IN (${ids.map(() => "?").join(",")})`)
      .pluck()
      .all(...ids) as number[];
    return new Set(rows);
  }

  private note(jobId: number, kind: string, text: string): void {
    try {
      addJobEvent(this.deps.db, jobId, kind, text);
      this.deps.publish(jobId);
    } catch (err) {
      this.deps.log.warn({ err, jobId }, "could not record a job note");
    }
  }

  /** Offset, parser state, progress and new bad blocks in one transaction. False when the DB is busy. */
  private commit(f: Follower, now: number): boolean {
    const { db } = this.deps;
    const raw = summary(f.state);
    const s = f.spec.display ? { ...raw, ...f.spec.display(raw) } : raw;
    const job = getJob(db, f.spec.jobId);
    if (!job) return true;
    const progress = jobProgress(db, job.id, { stageId: f.spec.stageId, percent: s.overallPct }, now);
    try {
      commitProgress(db, {
        jobId: job.id,
        stageId: f.spec.stageId,
        logOffset: f.logOffset,
        bbOffset: f.bbOffset,
        parserState: JSON.stringify(f.state),
        bbPhase: s.phase || null,
        bbPhasePct: s.phase ? s.phasePct : null,
        stagePercent: s.overallPct,
        jobPercent: progress.percent,
        etaSeconds: progress.etaSeconds,
        newBadBlocks: f.newBadBlocks,
        logTail: f.tail,
      });
    } catch (err) {
      if (isBusy(err)) {
        this.deps.log.warn({ jobId: job.id }, "database busy; progress kept in memory and committed later");
        return false;
      }
      throw err;
    }
    this.commits++;
    f.committed(now);
    this.sample(f, job.id, progress.percent, now);
    this.deps.publish(job.id);
    return true;
  }
}
