// One badblocks run of the surface test on its host, without orphans: the run's job dir and token
// are recorded before the launch, a launch whose answer was lost is asked again (the launch script
// re-reads a started run, it never starts a second), and a run that must stop is cancelled again
// and again until the host says its processes are gone, the job saying meanwhile that it is trying.
import { buildBadblocksArgv } from "../badblocks/command.js";
import type { StageRecord } from "../stage-kit/rows.js";
import { jobDeviceIdentity, newRunToken } from "../stage-kit/run-identity.js";
import { runOwner } from "../remote/launch-script.js";
import { sleep } from "../stage-kit/sleep.js";
import { HostError } from "../ssh/port.js";
import { describeSegment, type Segment } from "./resume-plan.js";
import type { SurfaceOptions } from "./options.js";
import type { StageContext } from "../stage-kit/types.js";

/** Waits between attempts: 1 s doubling to at most 30 s. */
const backoffMs = (attempt: number) => Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));

/** A job dir per install, job, stage and run: `<work>/jobs/<job>-<seq>-<install id>[-r<attempt>-<segment>]`. */
export function jobDirFor(workDir: string, install: string, jobId: number, seq: number): string {
  return `${workDir.replace(/\/+$/, "")}/jobs/${jobId}-${seq}-${install}`;
}

/** The owner line this stage's current run has on its host (null for a run launched before run identity). */
export function ownerOf(ctx: StageContext, stage: StageRecord): string | null {
  if (!stage.run_token) return null;
  return runOwner(ctx.installId, stage.run_token, jobDeviceIdentity(ctx.job, ctx.recorder.drive() ?? ctx.drive));
}

export type LaunchOutcome =
  | { kind: "running"; stage: StageRecord }
  | { kind: "refused"; reason: string }
  | { kind: "failed"; reason: string }
  /** The operator cancelled while the launch's answer was still unknown: the caller cancels the run. */
  | { kind: "aborted"; stage: StageRecord };

/**
 * Starts (or finds started) this stage's run in `dir`. Lost answers (SSH cut, timeout) are asked
 * again with the same dir and token, so at most one badblocks ever starts for the run.
 */
export async function launchRun(ctx: StageContext, stage: StageRecord, dir: string, options: SurfaceOptions, seg: Segment | null): Promise<LaunchOutcome> {
  if (stage.remote_dir !== dir || !stage.run_token) {
    const token = newRunToken();
    await ctx.recorder.recordRun(dir, token);
    stage = { ...stage, remote_dir: dir, run_token: token, pgid: null };
  }
  const argv = buildBadblocksArgv({
    device: ctx.job.device_path,
    sizeBytes: ctx.drive.size_bytes,
    blockSize: options.blockSize,
    blocksAtOnce: options.blocksAtOnce,
    maxBadBlocks: options.maxBadBlocks,
    patterns: seg ? seg.patterns : options.patterns,
    outputFile: "badblocks.txt",
    mode: seg?.readOnly ? "readOnly" : "write",
    ...(seg ? { lastBlock: seg.lastBlock, firstBlock: seg.firstBlock } : {}),
  });
  const identity = jobDeviceIdentity(ctx.job, ctx.drive);
  const owner = runOwner(ctx.installId, stage.run_token!, identity);
  const port = ctx.port;
  for (let attempt = 0; ; attempt++) {
    let problem: string;
    try {
      const launched = await port.launch({ jobDir: dir, argv, owner, identity, squeezeSeconds: ctx.progressSeconds });
      if (launched.kind === "refused") return { kind: "refused", reason: launched.reason };
      if (launched.kind === "failed" && launched.reason !== "locked") return { kind: "failed", reason: launched.reason };
      if (launched.kind !== "failed") {
        try {
          await ctx.recorder.recordPgid(launched.pgid);
        } catch (err) {
          // The run is recorded (dir, token): a Kiln that never learns the pgid re-reads the launch.
          ctx.log.warn({ err }, "could not record the process group; the run is followed from its recorded dir");
        }
        note(ctx, "launch", launched.kind === "existing"
          ? `found this run's badblocks already launched (process group ${launched.pgid ?? "?"})`
          : `badblocks started (process group ${launched.pgid})${seg ? `: ${describeSegment(seg)}` : ""}`);
        ctx.log.info({ dir, pgid: launched.pgid, argv }, "badblocks launched");
        return { kind: "running", stage: { ...stage, pgid: launched.pgid } };
      }
      problem = "another launch of this run is still in progress on the host";
    } catch (err) {
      if (!(err instanceof HostError) || err.permanent) throw err;
      problem = err.message;
    }
    if (attempt === 0) {
      note(ctx, "launch", `the answer to the launch was lost (${problem}): asking the host again; a started badblocks is found, never started twice`);
    }
    if (ctx.signal.aborted) return { kind: "aborted", stage };
    if (ctx.stopping.aborted) throw new Error("Kiln is shutting down during a launch; the next start re-reads it");
    await sleep(backoffMs(attempt), AbortSignal.any([ctx.stopping, ctx.signal]));
  }
}

/**
 * Stops the run in `dir()` (TERM, then KILL, its process group) and returns once the host says it
 * is gone; retried while the host does not answer. Returns "pending" only when Kiln shuts down (the
 * next Kiln cancels again: the job's cancel request is on its row).
 */
export async function stopUntilGone(ctx: StageContext, dir: () => string, why: string): Promise<"gone" | "pending"> {
  const port = ctx.port;
  for (let attempt = 0; ; attempt++) {
    let problem: string;
    try {
      const out = await port.cancel(dir());
      if (out === "gone" || out === "none") {
        if (attempt > 0) note(ctx, "cancel", `${why}: the badblocks process is gone`);
        return "gone";
      }
      problem = out === null ? "the host gave no readable answer" : "its process group is still alive after KILL";
    } catch (err) {
      problem = err instanceof HostError && err.kind !== "exec" ? `host unreachable: ${err.message}` : (err as Error).message;
    }
    if (attempt === 0) {
      const text = `${why} pending: ${problem}; retrying until the badblocks process is gone`;
      note(ctx, "cancel", text);
      try {
        await ctx.recorder.problem(text);
      } catch (err) {
        ctx.log.warn({ err }, "could not show the pending cancel on the job");
      }
      ctx.recorder.publish();
    }
    if (ctx.stopping.aborted) return "pending";
    await sleep(backoffMs(attempt), ctx.stopping);
  }
}

function note(ctx: StageContext, kind: string, text: string): void {
  try {
    ctx.recorder.note(kind, text);
  } catch (err) {
    ctx.log.warn({ err, text }, "could not record a job note");
  }
}
