// Following one surface stage's host-side files: feeds new log bytes through the parser, collects
// new bad blocks from the -o list, and says when to commit (the gate) and when the stage ended.
// Pure apart from the clock it is handed: the reader does the I/O.
import { feed, initialState, summary, type ProgressEvent, type ProgressState, type ProgressSummary } from "../badblocks/progress.js";
import type { JobRead } from "../remote/read-script.js";
import { surfaceVerdict, type Verdict } from "./verdict.js";
import { afterCommit, afterSkip, initialGate, shouldCommit, type Change, type GateState } from "./gate.js";

export interface FollowSpec {
  jobId: number;
  stageId: number;
  jobDir: string;
  /** This run's owner line (launch-script.ts runOwner); null for runs launched before run identity. */
  owner?: string | null;
  patterns: string[];
  logOffset: number;
  bbOffset: number;
  parserState: ProgressState | null;
  badBlocks: number[];
  logTail: string[];
  /** The operator's cancel: a run interrupted after it was aborted ends `cancelled`, never `unknown`. */
  cancelSignal?: AbortSignal;
  /** Maps this run's progress to what the stage shows (a resumed segment shows the original phases). */
  display?: (s: ProgressSummary) => { phase: number; phasePct: number; overallPct: number };
}

/** A followed run's end: the verdict, and whether resuming it could keep the work done so far. */
export type Outcome = Verdict & { resumable: boolean };

export interface Step {
  /** Commit now (the gate said so). */
  commit: boolean;
  /** The stage ended with this verdict (always comes with commit). */
  outcome: Outcome | null;
  /** The process must be stopped before the verdict stands (it is stuck, not finished). */
  kill?: boolean;
  /** Something the operator should see on the job (stuck warning). */
  note?: string;
}

export interface StuckLimits {
  warnMs: number;
  limitMs: number;
}

const TAIL_LINES = 20;
const minutes = (ms: number) => (ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : `${Math.round(ms / 60_000)} min`);
/** Polls in a row that must see the process gone without an exit file before we believe it. */
const VANISHED_POLLS = 3;

export class Follower {
  state: ProgressState;
  bbOffset: number;
  badBlocks: number[];
  newBadBlocks: number[] = [];
  tail: string[];
  gate: GateState = initialGate();
  cancelRequested = false;
  /** Paused for temperature: no output is expected, so it never counts as stuck. */
  paused = false;
  private goneWithoutExit = 0;
  private lastDataAt: number | null = null;
  private stuckWarned = false;

  constructor(readonly spec: FollowSpec) {
    this.state = spec.parserState ?? initialState(spec.patterns);
    this.bbOffset = spec.bbOffset;
    this.badBlocks = [...spec.badBlocks];
    this.tail = [...spec.logTail];
  }

  get logOffset(): number {
    return this.state.offset;
  }

  /** Applies one poll's read of this stage's files at time `now` (ms). */
  apply(read: JobRead | undefined, now: number, gateMs: number, stuck?: StuckLimits): Step {
    if (!read) return this.tick(now, gateMs, undefined);
    this.lastDataAt ??= now;
    if (read.foreign) {
      return this.end({ status: "unknown", errorText: "the job's directory on the host now belongs to another run or another Kiln install: nothing in it is read as this run's" });
    }
    if (!read.found || (read.log === null && this.logOffset > 0)) {
      return this.end({ status: "unknown", errorText: read.found ? "the host-side log vanished after it had been read" : "the job's directory on the host vanished" });
    }
    if (read.log && read.log.size < this.logOffset) return this.shrank(read, now, gateMs);
    let events: ProgressEvent[] = [];
    if (read.log && read.log.data.length > 0) {
      ({ state: this.state, events } = feed(this.state, read.log.data));
      this.addTail(events);
    }
    const newBad = this.takeBadBlocks(read);
    const change: Change = {
      phaseChanged: events.some((e) => e.type === "phase"),
      newBadBlocks: newBad,
      terminal: events.some((e) => e.type === "terminal"),
    };
    const caughtUp = (!read.log || this.logOffset >= read.log.size) && (!read.bb || this.bbOffset >= read.bb.size);
    if (read.exit !== null && caughtUp) return this.end(this.verdict(read.exit, false));
    if (read.exit === null && !read.alive) {
      this.goneWithoutExit++;
      if (this.goneWithoutExit >= VANISHED_POLLS && caughtUp) return this.end(this.verdict(null, true));
    } else {
      this.goneWithoutExit = 0;
    }
    const hadData = (read.log?.data.length ?? 0) > 0 || newBad;
    if (hadData || this.paused) {
      this.lastDataAt = now;
      this.stuckWarned = false;
    } else if (stuck && read.alive) {
      const quiet = now - this.lastDataAt;
      if (quiet >= stuck.limitMs) {
        return { ...this.end({ status: "unknown", errorText: `badblocks wrote nothing for ${minutes(quiet)} while its process lived: stuck (stopped by Kiln)` }), kill: true };
      }
      if (quiet >= stuck.warnMs && !this.stuckWarned) {
        this.stuckWarned = true;
        return { ...this.tick(now, gateMs, undefined), note: `no output from badblocks for ${minutes(quiet)}; the process is alive (disk or host may be stuck)` };
      }
    }
    return this.tick(now, gateMs, hadData ? change : undefined);
  }

  /**
   * The log is shorter than what was already read. With the process gone and no exit status that is
   * a power loss (the tail never reached the disk): what was read stays true, so the run is resumed
   * from the saved parser state. A live process or an exit status with a shrunken log is not
   * explained by that: `unknown`.
   */
  private shrank(read: JobRead, now: number, gateMs: number): Step {
    const lost = `the host-side log shrank below the ${this.logOffset} bytes already read`;
    if (read.exit !== null || read.alive) return this.end({ status: "unknown", errorText: `${lost} (truncated or replaced)` });
    if (++this.goneWithoutExit < VANISHED_POLLS) return this.tick(now, gateMs, undefined);
    const v = this.verdict(null, true);
    return this.end(v.resumable ? { ...v, errorText: `${lost} and the process is gone without an exit status (a power loss)` } : v);
  }

  /** `change` is given only when new bytes arrived; without it, a dirty gate is flushed once due. */
  private tick(now: number, gateMs: number, change: Change | undefined): Step {
    if (shouldCommit(this.gate, now, gateMs, change)) return { commit: true, outcome: null };
    if (change) this.gate = afterSkip(this.gate);
    return { commit: false, outcome: null };
  }

  committed(now: number): void {
    this.gate = afterCommit(now);
    this.newBadBlocks = [];
  }

  private end(outcome: Verdict & { resumable?: boolean }): Step {
    return { commit: true, outcome: { resumable: false, ...outcome } };
  }

  private verdict(exitText: string | null, vanished: boolean): Outcome {
    const t = summary(this.state).terminal;
    if (this.spec.cancelSignal?.aborted) this.cancelRequested = true;
    const v = surfaceVerdict({
      terminal: t,
      exitText,
      vanished,
      badBlockList: this.badBlocks,
      cancelRequested: this.cancelRequested,
    });
    // Killed from outside or lost with its host: the work done so far can be kept by resuming.
    // (With bad blocks already found it is failed either way, but resuming completes the list.)
    const resumable = v.status !== "passed" && !this.cancelRequested && (vanished || t?.kind === "interrupted");
    return { ...v, resumable };
  }

  /** Takes complete lines of the bad-block list; a partial last line is read again next time. */
  private takeBadBlocks(read: JobRead): boolean {
    if (!read.bb || read.bb.data.length === 0) return false;
    const text = read.bb.data.toString("latin1");
    const end = text.lastIndexOf("\n");
    if (end < 0) return false;
    this.bbOffset += end + 1;
    let added = false;
    for (const line of text.slice(0, end).split("\n")) {
      const t = line.trim();
      if (!/^\d+$/.test(t)) continue;
      const block = Number(t);
      if (!this.badBlocks.includes(block)) {
        this.badBlocks.push(block);
        this.newBadBlocks.push(block);
        added = true;
      }
    }
    return added;
  }

  /** The log's lines as the parser read them (status redraws left out), the last TAIL_LINES kept. */
  private addTail(events: readonly ProgressEvent[]): void {
    for (const e of events) {
      const line = tailLine(e);
      if (line) this.tail.push(line.slice(0, 200));
    }
    if (this.tail.length > TAIL_LINES) this.tail = this.tail.slice(-TAIL_LINES);
  }

}

/** A parser event as the line of badblocks' log it came from; null for status redraws. */
function tailLine(e: ProgressEvent): string | null {
  switch (e.type) {
    case "phase":
      if (e.kind === "verify") return "Reading and comparing:";
      return e.pattern === "random" ? "Testing with random pattern:" : `Testing with pattern ${e.pattern ?? "?"}:`;
    case "phaseDone":
      return "done";
    case "badBlock":
      return String(e.block);
    case "notice":
      return e.text;
    case "terminal": {
      const counts = `(${e.errors.read}/${e.errors.write}/${e.errors.corrupt} errors)`;
      if (e.kind === "interrupted") return `Interrupted at block ${e.block ?? "?"}`;
      if (e.kind === "refused") return e.reason ?? "badblocks refused to run";
      return `Pass completed, ${e.badBlocks} bad blocks found. ${counts}`;
    }
    case "progress":
      return null;
  }
}
