// One reader per host serves all of that host's followed stages: each poll is a single exec (one
// SSH channel) that returns the new bytes of every job's log. Commits pass through the write gate.
import type { Logger } from "../log.js";
import type { HostPort } from "../hosts/verbs.js";
import { summary, type ProgressState } from "../badblocks/progress.js";
import type { StageRecorder } from "../stage-kit/types.js";
import { shouldCommit } from "./gate.js";
import { Follower, type FollowSpec, type Outcome, type Step, type StuckLimits } from "./follower.js";
import { surfaceView } from "./view.js";

/** Bytes of log read per job per poll; a reader that fell behind catches up in steps of this. */
const MAX_BYTES_PER_POLL = 1 << 20;
const MAX_BACKOFF_MS = 60_000;

/** At most one temperature/throughput sample per job per this many milliseconds (the drawer's charts). */
const SAMPLE_EVERY_MS = 60_000;

/** A followed run's end: the verdict, whether its process must still be stopped (stuck), its final parser state. */
export type FollowEnd = Outcome & { kill?: boolean; state: ProgressState };

/** Where a followed run's progress is written down, and what its sample needs. */
export interface FollowedJob {
  recorder: StageRecorder;
  sizeBytes: number;
  optionsJson: string;
}

interface Entry extends FollowedJob {
  follower: Follower;
  resolve: (v: FollowEnd) => void;
  /** The badblocks process the last read found: the host then knows it without reading its command line. */
  process?: string | null;
}

export interface ReaderDeps {
  port: (hostId: number) => HostPort;
  log: Logger;
  gateMs: number;
  pollMs: number;
  stuck: StuckLimits;
  /**
   * Runs `write` in one database transaction (one disk sync for many jobs' commits), or says the
   * database is busy and nothing was written.
   */
  inOneTransaction<T>(write: () => T): T | "busy";
}

export class HostReader {
  private entries = new Map<number, Entry>();
  private loop: Promise<void> | null = null;
  private stopped = false;
  private failures = 0;

  constructor(
    readonly hostId: number,
    private deps: ReaderDeps,
  ) {}

  follow(spec: FollowSpec, job: FollowedJob): Promise<FollowEnd> {
    return new Promise((resolve) => {
      this.entries.set(spec.stageId, { ...job, follower: new Follower(spec), resolve });
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
    try {
      this.commitAll([...this.entries.values()].filter((e) => e.follower.gate.dirty), Date.now());
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
      let cost = { readMs: 0, hostCpuMs: undefined as number | undefined };
      try {
        const jobs = this.entries.size;
        cost = await this.poll();
        if (first) this.deps.log.info({ jobs, ...cost, totalMs: Date.now() - started }, "first poll of the host's jobs");
      } catch (err) {
        // One bad poll (a corrupt answer, a DB error) must not end the reader of every job on the host.
        this.deps.log.error({ err }, "poll failed");
      }
      // Each poll costs the storage host CPU (a shell walk over every job's files): however many
      // jobs there are, it uses at most a quarter of one of the host's cores. The cost is the CPU
      // time the host's script reports (the wall time of the read when it does not say): time on
      // the network or waiting for a busy host's CPU costs the host nothing, nor do Kiln's commits.
      const wait = this.failures === 0
        ? Math.max(this.deps.pollMs - (Date.now() - started), 3 * (cost.hostCpuMs ?? cost.readMs))
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
      const due = [...this.entries.values()].filter((e) => e.follower.gate.dirty && shouldCommit(e.follower.gate, at, this.deps.gateMs));
      // Database busy: leave it to the next poll rather than spin on the lock.
      if (due.length > 0 && this.commitAll(due, at).size < due.length) flushing = false;
    }
  }

  /** One read of every followed job and what follows from it; returns what the read cost (ms). */
  private async poll(): Promise<{ readMs: number; hostCpuMs: number | undefined }> {
    const list = [...this.entries.values()];
    const reqs = list.map(({ follower: f, process }) => ({
      key: String(f.spec.stageId),
      jobDir: f.spec.jobDir,
      owner: f.spec.owner,
      knownProcess: process ?? null,
      logOffset: f.logOffset,
      bbOffset: f.bbOffset,
      maxBytes: MAX_BYTES_PER_POLL,
    }));
    let reads;
    const asked = Date.now();
    try {
      reads = await this.deps.port(this.hostId).read(reqs);
      if (this.stopped) return { readMs: 0, hostCpuMs: undefined };
    } catch (err) {
      if (this.stopped) return { readMs: 0, hostCpuMs: undefined };
      if (this.failures++ === 0) {
        for (const e of list) this.note(e, "contact", `lost contact with the host: ${(err as Error).message}`);
      }
      this.deps.log.warn({ err: (err as Error).message, failures: this.failures }, "reading job logs failed");
      return { readMs: Date.now() - asked, hostCpuMs: undefined };
    }
    const readMs = Date.now() - asked;
    if (this.failures > 0) {
      for (const e of list) this.note(e, "contact", "contact with the host restored");
      this.failures = 0;
    }
    const now = Date.now();
    const due: { entry: Entry; step: Step }[] = [];
    for (const entry of list) {
      const f = entry.follower;
      f.paused = entry.recorder.isPaused();
      const read = reads.get(String(f.spec.stageId));
      if (read) entry.process = read.process;
      const step = f.apply(read, now, this.deps.gateMs, this.deps.stuck);
      if (step.note) {
        this.note(entry, "stuck", step.note);
        entry.recorder.attention("stuck-job", `stuck:${f.spec.jobId}:${f.logOffset}`, step.note);
      }
      if (step.commit) due.push({ entry, step });
    }
    // Not committed (database busy): the follower keeps its state, retried next poll.
    const committed = this.commitAll(due.map((d) => d.entry), now);
    for (const { entry, step } of due) {
      if (!step.outcome || !committed.has(entry)) continue;
      this.entries.delete(entry.follower.spec.stageId);
      entry.resolve({ ...step.outcome, kill: step.kill, state: entry.follower.state });
    }
    return { readMs, hostCpuMs: reads.hostCpuMs };
  }

  /** One temperature/throughput sample per job per minute, for the drawer's charts. */
  private lastSample = new Map<number, number>();
  private sample(e: Entry, percent: number, now: number): void {
    const jobId = e.follower.spec.jobId;
    if (now - (this.lastSample.get(jobId) ?? 0) < SAMPLE_EVERY_MS) return;
    this.lastSample.set(jobId, now);
    const view = surfaceView(e.recorder.stage(), e.sizeBytes, e.optionsJson);
    e.recorder.sample(now, view.mbps, percent);
  }

  private note(e: Entry, kind: string, text: string): void {
    try {
      e.recorder.note(kind, text);
      e.recorder.publish();
    } catch (err) {
      this.deps.log.warn({ err, jobId: e.follower.spec.jobId }, "could not record a job note");
    }
  }

  /**
   * Commits these entries' offsets, parser states, progress, new bad blocks and due samples in one
   * transaction: one disk sync for a whole poll (a restart's first poll commits every job of the
   * host at once). Returns the entries committed: none while the database is busy (each keeps its
   * state for the next poll). If the batch fails otherwise, each is committed alone, so one bad job
   * does not hold back the others.
   */
  private commitAll(es: Entry[], now: number): Set<Entry> {
    if (es.length === 0) return new Set();
    let written: ("busy" | "gone" | "written")[] | "busy";
    try {
      written = this.deps.inOneTransaction(() => es.map((e) => this.write(e, now)));
    } catch (err) {
      if (es.length === 1) throw err;
      this.deps.log.warn({ err }, "a batched progress commit failed; committing job by job");
      const done = new Set<Entry>();
      for (const e of es) {
        try {
          if (this.commitAll([e], now).size === 1) done.add(e);
        } catch (one) {
          this.deps.log.error({ err: one, jobId: e.follower.spec.jobId }, "could not commit a job's progress");
        }
      }
      return done;
    }
    if (written === "busy") {
      this.deps.log.warn({ jobs: es.map((e) => e.follower.spec.jobId) }, "database busy; progress kept in memory and committed later");
      return new Set();
    }
    const done = new Set<Entry>();
    es.forEach((e, i) => {
      if (written[i] === "busy") return;
      done.add(e);
      if (written[i] !== "written") return;
      e.follower.committed(now);
      e.recorder.publish();
    });
    return done;
  }

  /** One entry's commit, inside commitAll's transaction. */
  private write(e: Entry, now: number): "busy" | "gone" | "written" {
    const f = e.follower;
    const raw = summary(f.state);
    const s = f.spec.display ? { ...raw, ...f.spec.display(raw) } : raw;
    const percent = e.recorder.commitProgress({
      logOffset: f.logOffset,
      bbOffset: f.bbOffset,
      parserState: JSON.stringify(f.state),
      bbPhase: s.phase || null,
      bbPhasePct: s.phase ? s.phasePct : null,
      stagePercent: s.overallPct,
      newBadBlocks: f.newBadBlocks,
      logTail: f.tail,
    }, now);
    if (percent === "gone" || percent === "busy") return percent;
    try {
      this.sample(e, percent, now);
    } catch (err) {
      this.deps.log.warn({ err, jobId: f.spec.jobId }, "could not record a sample");
    }
    return "written";
  }
}

/** One reader per host, made on first use; all of them stopped together. */
export class HostReaders {
  private readers = new Map<number, HostReader>();

  constructor(private deps: ReaderDeps) {}

  reader(hostId: number): HostReader {
    let r = this.readers.get(hostId);
    if (!r) {
      r = new HostReader(hostId, { ...this.deps, log: this.deps.log.child({ hostId }) });
      this.readers.set(hostId, r);
    }
    return r;
  }

  release(jobId: number, errorText: string): void {
    for (const r of this.readers.values()) r.release(jobId, errorText);
  }

  stop(): void {
    for (const r of this.readers.values()) r.stop();
  }
}
