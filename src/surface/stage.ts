// surface_validate: a destructive badblocks -w pass, started detached on the host and followed by
// the host's reader until its terminal record and exit file are in. If the process vanishes (host
// reboot, killed from outside) the test is resumed from the saved parser state as segments
// (surface/resume-plan.ts), so the work done is kept and every block still gets every pattern.
import { chooseBlockSize, DEFAULT_BLOCKS_AT_ONCE } from "../badblocks/command.js";
import { DEFAULT_PATTERNS, patternIndex, phaseKind } from "../badblocks/phases.js";
import type { ProgressSummary } from "../badblocks/progress.js";
import { PERCENT_BEFORE_END } from "../percent.js";
import type { StageRecord } from "../stage-kit/rows.js";
import { jobDirFor, launchRun, ownerOf, stopUntilGone } from "./run.js";
import { HostReaders, type FollowEnd, type HostReader, type ReaderDeps } from "./reader.js";
import { savedParserState } from "./view.js";
import { describeSegment, globalPhase, planResume, type Segment } from "./resume-plan.js";
import { resumedVerdict } from "./verdict.js";
import { settleBadBlocks } from "./pin.js";
import type { SurfaceOptions } from "./options.js";
import type { StageContext, StageImpl, StageResult } from "../stage-kit/types.js";
import { startTemperatureGuard } from "../stage-kit/temperature-guard.js";

/** Resumes per stage before Kiln gives up and calls the job unknown. */
const MAX_RESUMES = 3;

export interface ResumeState {
  attempt: number;
  index: number;
  segments: Segment[];
  /** Where each resume started, for the drawer and the report. */
  history: string[];
  /** The highest "N bad blocks found" a completed segment reported: it counts even if the list lost them. */
  reported?: number;
}

interface Geometry {
  blockSize: number;
  blocksAtOnce: number;
  blockCount: number;
  patterns: string[];
}

function geometry(ctx: StageContext, options: SurfaceOptions): Geometry {
  const blockSize = options.blockSize ?? chooseBlockSize(ctx.drive.size_bytes);
  return {
    blockSize,
    blocksAtOnce: options.blocksAtOnce ?? DEFAULT_BLOCKS_AT_ONCE,
    blockCount: Math.floor(ctx.drive.size_bytes / blockSize),
    patterns: options.patterns ?? [...DEFAULT_PATTERNS],
  };
}

/** What a resumed segment's progress shows as, in the phases of the original run. */
function segmentDisplay(seg: Segment, total: number) {
  return (s: ProgressSummary) => {
    const phase = globalPhase(seg, s.phase);
    const phasePct = s.phase > 0 ? s.phasePct : 0;
    return { phase, phasePct, overallPct: Math.min(PERCENT_BEFORE_END, ((phase - 1) * 100 + phasePct) / (2 * total)) };
  };
}

async function follow(ctx: StageContext, reader: HostReader, stage: StageRecord, g: Geometry, seg: Segment | null): Promise<FollowEnd> {
  return reader.follow({
    jobId: ctx.job.id,
    stageId: stage.id,
    jobDir: stage.remote_dir!,
    owner: ownerOf(ctx, stage),
    patterns: seg ? seg.patterns : g.patterns,
    logOffset: stage.log_offset,
    bbOffset: stage.bb_offset,
    parserState: savedParserState(stage),
    badBlocks: ctx.recorder.badBlocks(),
    logTail: ctx.recorder.logTail(),
    cancelSignal: ctx.signal,
    ...(seg ? { display: segmentDisplay(seg, g.patterns.length) } : {}),
  }, { recorder: ctx.recorder, sizeBytes: ctx.drive.size_bytes, optionsJson: ctx.job.options_json });
}

/** The segments that replace an interrupted run (the whole test, or one segment of a resume). */
function replan(end: FollowEnd, g: Geometry, seg: Segment | null): Segment[] {
  if (seg?.readOnly) return [seg]; // a read-only check is simply run again
  const t = end.state.terminal;
  return planResume({
    patterns: seg ? seg.patterns : g.patterns,
    phase: end.state.phase,
    phasePct: end.state.phasePct,
    interruptedBlock: t?.kind === "interrupted" ? (t.block ?? null) : null,
    blockCount: g.blockCount,
    blocksAtOnce: g.blocksAtOnce,
    rangeStart: seg ? seg.firstBlock : 0,
    phaseBase: seg ? seg.phaseBase : 0,
  });
}

function where(end: FollowEnd, seg: Segment | null, g: Geometry): string {
  const s = end.state;
  const phase = seg ? globalPhase(seg, s.phase) : s.phase;
  if (phase <= 0) return "before the first pattern";
  const pattern = g.patterns[patternIndex(phase)] ?? "?";
  return `pattern ${pattern} ${phaseKind(phase)} at ${s.phasePct.toFixed(2)}%`;
}

/**
 * During the surface test, a drive at or above its temperature limit has its badblocks process
 * group stopped (SIGSTOP) and the job `paused`; at or below the resume point it continues (SIGCONT).
 * Drives without readable SMART have no guard.
 */
function guardTemperature(ctx: StageContext, dir: () => string): { stop(): void } | null {
  if (ctx.drive.smart_available !== 1) return null;
  const signalGroup = (sig: "STOP" | "CONT") => ctx.port.signal(dir(), sig);
  const guard = startTemperatureGuard(ctx, {
    sampleMs: ctx.tempSampleMs,
    initialState: ctx.job.status === "paused" ? "paused" : "running",
    async onPause(reason) {
      const sent = await signalGroup("STOP");
      await ctx.recorder.pause(
        `paused: ${reason} (badblocks stopped: ${sent ?? "no answer"})`,
        `the burn-in of ${ctx.drive.dev_name} (${ctx.drive.confirm_name}) is paused: ${reason}`,
      );
    },
    async onResume() {
      const sent = await signalGroup("CONT");
      await ctx.recorder.continue(`continued: the drive cooled down (badblocks continued: ${sent ?? "no answer"})`);
    },
  });
  ctx.stopping.addEventListener("abort", () => guard.stop(), { once: true });
  return guard;
}

/** The surface stage with its per-host readers (stages/index.ts makes one for the runner). */
export interface SurfaceStage {
  stage: StageImpl;
  readers: HostReaders;
}

export function createSurfaceStage(deps: ReaderDeps): SurfaceStage {
  const readers = new HostReaders(deps);
  const stage: StageImpl = { name: "surface_validate", run: (ctx) => runSurface(ctx, readers.reader(ctx.host.id)) };
  return { stage, readers };
}

async function runSurface(ctx: StageContext, reader: HostReader): Promise<StageResult> {
  const run: RunState = { dir: ctx.stage.remote_dir ?? "", completed: false };
  let cancelling: Promise<"gone" | "pending"> | null = null;
  const cancelRun = () => (cancelling ??= run.dir ? stopUntilGone(ctx, () => run.dir, "cancel") : Promise.resolve("gone" as const));
  const onAbort = () => {
    reader.markCancelled(ctx.stage.id);
    void cancelRun();
  };
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const guard = guardTemperature(ctx, () => run.dir);
  try {
    const result = await runSegments(ctx, reader, run);
    // However the run ended, a cancelled job's badblocks is known gone before the stage ends.
    if (ctx.signal.aborted && run.dir) await cancelRun();
    if (ctx.signal.aborted && result.status === "passed") return { status: "cancelled", errorText: "cancelled (the pass had completed)" };
    return result;
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
    guard?.stop();
    // Listed blocks pinned to the true ones (never one past the end); the verdict stands on the counts.
    if (!ctx.stopping.aborted) {
      const g = geometry(ctx, JSON.parse(ctx.job.options_json) as SurfaceOptions);
      await settleBadBlocks(ctx, g, run.completed).catch((err) => ctx.log.error({ err }, "could not settle the bad-block list"));
    }
    // A pause that raced with the end of the run must not leave the job paused.
    if (!ctx.stopping.aborted) await ctx.recorder.unpause();
  }
}

/** The current run's job dir, and whether the whole test ran to its end (the device holds the last pattern everywhere). */
interface RunState {
  dir: string;
  completed: boolean;
}

/** The first run, then every resume segment, each launched only while the job is not cancelled. */
async function runSegments(ctx: StageContext, reader: HostReader, run: RunState): Promise<StageResult> {
  const options = JSON.parse(ctx.job.options_json) as SurfaceOptions;
  const g = geometry(ctx, options);
  const base = jobDirFor(ctx.host.work_dir, ctx.installId, ctx.job.id, ctx.stage.seq);
  let stage = ctx.stage;
  for (;;) {
    const resume = stage.resume_json ? (JSON.parse(stage.resume_json) as ResumeState) : null;
    const seg = resume ? resume.segments[resume.index]! : null;
    const dir = stage.remote_dir ?? (resume ? `${base}-r${resume.attempt}-${resume.index}` : base);
    run.dir = dir;
    if (stage.pgid === null) {
      // Not known to be running: launch it, or re-read a launch whose answer was lost.
      if (ctx.signal.aborted) return { status: "cancelled", errorText: "cancelled before badblocks started" + (resume ? " (no further segment was launched)" : "") };
      const launched = await launchRun(ctx, stage, dir, options, seg);
      if (launched.kind === "refused") return { status: "failed", errorText: `refused to start badblocks: ${launched.reason}` };
      if (launched.kind === "failed") return { status: "unknown", errorText: `could not start badblocks: ${launched.reason}` };
      if (launched.kind === "aborted") return { status: "cancelled", errorText: "cancelled while the launch's answer was lost" };
      stage = launched.stage;
    }
    if (ctx.signal.aborted) reader.markCancelled(stage.id);
    const end = await follow(ctx, reader, stage, g, seg);
    if (end.kill) {
      await stopUntilGone(ctx, () => dir, "stopping the stuck badblocks");
      ctx.recorder.note("stopped", "stopped the stuck badblocks");
      return { status: end.status, errorText: end.errorText };
    }
    if (ctx.signal.aborted) return { status: end.status === "failed" ? "failed" : "cancelled", errorText: end.errorText ?? "cancelled" };
    if (end.resumable) {
      const attempt = (resume?.attempt ?? 0) + 1;
      if (attempt > MAX_RESUMES) {
        return { status: "unknown", errorText: `${end.errorText}; not resumed again after ${MAX_RESUMES} resumes` };
      }
      const segments = [...replan(end, g, seg), ...(resume ? resume.segments.slice(resume.index + 1) : [])];
      const note = `resumed (${attempt} of at most ${MAX_RESUMES}) after ${end.errorText}; it stopped at ${where(end, seg, g)}. Plan: ${segments.map(describeSegment).join("; then ")}`;
      stage = await ctx.recorder.resume({ attempt, index: 0, segments, history: [...(resume?.history ?? []), note], reported: resume?.reported ?? 0 });
      ctx.recorder.note("resume", note);
      ctx.log.warn({ attempt, segments }, "surface test resumed");
      continue;
    }
    if (!resume) {
      run.completed = end.state.terminal?.kind === "completed";
      return { status: end.status, errorText: end.errorText };
    }
    const segmentDone = end.state.terminal?.kind === "completed" && (end.status === "passed" || end.status === "failed");
    if (!segmentDone) return { status: end.status, errorText: end.errorText };
    const reported = Math.max(resume.reported ?? 0, end.state.terminal?.badBlocks ?? 0);
    if (resume.index + 1 < resume.segments.length) {
      stage = await ctx.recorder.resume({ ...resume, index: resume.index + 1, reported });
      continue;
    }
    run.completed = true;
    return resumedVerdict(ctx.recorder.badBlocks().length, reported, resume.attempt);
  }
}
