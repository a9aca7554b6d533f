// One reader per host serves all of that host's followed stages: each poll is a single exec (one
// SSH channel) that returns the new bytes of every job's log. Commits pass through the write gate.
import type { Db } from "../db/open.js";
import type { Logger } from "../log.js";
import type { HostRegistry } from "../hosts/registry.js";
import { summary, type ProgressState } from "../badblocks/progress.js";
import { isBusy } from "../db/retry.js";
import { shouldCommit } from "./gate.js";
import type { JobHooks } from "../jobs/hooks.js";
import { Follower, type FollowSpec, type Outcome, type Step, type StuckLimits } from "./follower.js";
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
    const dirty = [...this.entries.values()].map((e) => e.follower).filter((f) => f.gate.dirty);
    try {
      this.commitAll(dirty, Date.now());
    } catch (err) {
      this.deps.log.warn({ err }, "could not commit on shutdown");
    }
  }

  /**
   * Polls on a fixed schedule (every pollMs from the start of the last poll, or with backoff after
   * a failure). Between polls, progress held back by the gate is committed the moment its gate
   * opens, so a line waits at most the gate interval, not the gate plus a poll.
   */
  private async run(): Promise<void> {
    for (let first = true; this.entries.size > 0 && !this.stopped; first = false) {
      const started = Date.now();
      let readMs = 0;
      try {
        const jobs = this.entries.size;
        readMs = await this.poll();
        if (first) this.deps.log.info({ jobs, readMs, totalMs: Date.now() - started }, "first poll of the host's jobs");
      } catch (err) {
        // One bad poll (a corrupt answer, a DB error) must not end the reader of every job on the host.
        this.deps.log.error({ err }, "poll failed");
      }
      // Each poll costs the storage host CPU (a shell walk over every job's files): however many
      // jobs there are, it polls at most a quarter of the time. Only the read counts: Kiln's own
      // commits after it cost the host nothing.
      const wait = this.failures === 0
        ? Math.max(this.deps.pollMs - (Date.now() - started), 3 * readMs)
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
      const due = [...this.entries.values()].map((e) => e.follower).filter((f) => f.gate.dirty && shouldCommit(f.gate, at, this.deps.gateMs));
      // Database busy: leave it to the next poll rather than spin on the lock.
      if (due.length > 0 && this.commitAll(due, at).size < due.length) flushing = false;
    }
  }

  /** One read of every followed job and what follows from it; returns how long the read took (ms). */
  private async poll(): Promise<number> {
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
    const asked = Date.now();
    try {
      reads = await this.deps.registry.port(this.hostId).read(reqs);
      if (this.stopped) return 0;
    } catch (err) {
      if (this.stopped) return 0;
      if (this.failures++ === 0) {
        for (const { follower: f } of list) this.note(f.spec.jobId, "contact", `lost contact with the host: ${(err as Error).message}`);
      }
      this.deps.log.warn({ err: (err as Error).message, failures: this.failures }, "reading job logs failed");
      return Date.now() - asked;
    }
    const readMs = Date.now() - asked;
    if (this.failures > 0) {
      for (const { follower: f } of list) this.note(f.spec.jobId, "contact", "contact with the host restored");
      this.failures = 0;
    }
    const now = Date.now();
    const paused = this.pausedJobs(list.map((e) => e.follower.spec.jobId));
    const due: { entry: Entry; step: Step }[] = [];
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
      if (step.commit) due.push({ entry, step });
    }
    // Not committed (database busy): the follower keeps its state, retried next poll.
    const committed = this.commitAll(due.map((d) => d.entry.follower), now);
    for (const { entry, step } of due) {
      if (!step.outcome || !committed.has(entry.follower)) continue;
      this.entries.delete(entry.follower.spec.stageId);
      entry.resolve({ ...step.outcome, kill: step.kill, state: entry.follower.state });
    }
    return readMs;
  }

  /** One temperature/throughput sample per job per minute, for the drawer's charts. */
  private lastSample = new Map<number, number>();
  /** Called inside the commit's transaction; a sample that cannot be written never holds back progress. */
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
      this.deps.log.warn({ err, jobId }, "could not record a sample");
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

  /**
   * Commits these followers' offsets, parser states, progress and new bad blocks in one transaction:
   * one disk sync for a whole poll (a restart's first poll commits every job of the host at once).
   * Returns the followers committed: none while the database is busy (each keeps its state for the
   * next poll). If the batch fails otherwise, each is committed alone, so one bad job does not hold
   * back the others.
   */
  private commitAll(fs: Follower[], now: number): Set<Follower> {
    const { db, log } = this.deps;
    if (fs.length === 0) return new Set();
    let written: (Written | null)[];
    try {
      written = db.transaction(() => fs.map((f) => this.write(f, now))).immediate();
    } catch (err) {
      if (isBusy(err)) {
        log.warn({ jobs: fs.map((f) => f.spec.jobId) }, "database busy; progress kept in memory and committed later");
        return new Set();
      }
      if (fs.length === 1) throw err;
      log.warn({ err }, "a batched progress commit failed; committing job by job");
      const done = new Set<Follower>();
      for (const f of fs) {
        try {
          if (this.commitAll([f], now).size === 1) done.add(f);
        } catch (e) {
          log.error({ err: e, jobId: f.spec.jobId }, "could not commit a job's progress");
        }
      }
      return done;
    }
    for (const w of written) {
      if (!w) continue;
      this.commits++;
      w.follower.committed(now);
      this.deps.publish(w.jobId);
    }
    return new Set(fs);
  }

  /** One follower's commit, inside commitAll's transaction; null when its job row is gone. */
  private write(f: Follower, now: number): Written | null {
    const { db } = this.deps;
    const raw = summary(f.state);
    const s = f.spec.display ? { ...raw, ...f.spec.display(raw) } : raw;
    const job = getJob(db, f.spec.jobId);
    if (!job) return null;
    const progress = jobProgress(db, job.id, { stageId: f.spec.stageId, percent: s.overallPct }, now);
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
    this.sample(f, job.id, progress.percent, now);
    return { follower: f, jobId: job.id };
  }
}

interface Written {
  follower: Follower;
  jobId: number;
}
