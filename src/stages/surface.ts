// surface_validate: a destructive badblocks -w pass, started detached on the host and followed by
// the host's reader until its terminal record and exit file are in.
import { buildBadblocksArgv } from "../badblocks/command.js";
import { DEFAULT_PATTERNS } from "../badblocks/phases.js";
import type { ProgressState } from "../badblocks/progress.js";
import { buildCancelScript, buildLaunchScript, parseCancelOutput, parseLaunchOutput } from "../remote/scripts.js";
import { badBlocksOf, logTailOf, setStageRemote, addJobEvent } from "../jobs/repo.js";
import type { SurfaceOptions } from "./surface-options.js";
import type { StageContext, StageImpl } from "./types.js";

export function jobDirFor(workDir: string, jobId: number, seq: number): string {
  return `${workDir.replace(/\/+$/, "")}/jobs/${jobId}-${seq}`;
}

async function launch(ctx: StageContext, jobDir: string, options: SurfaceOptions): Promise<void> {
  const argv = buildBadblocksArgv({
    device: ctx.job.device_path,
    sizeBytes: ctx.drive.size_bytes,
    blockSize: options.blockSize,
    blocksAtOnce: options.blocksAtOnce,
    maxBadBlocks: options.maxBadBlocks,
    patterns: options.patterns,
    outputFile: "badblocks.txt",
  });
  const res = await ctx.registry.exec(ctx.host.id, buildLaunchScript({ jobDir, argv }), { timeoutMs: 60_000 });
  const launched = parseLaunchOutput(res.stdout);
  if (launched.kind === "failed") {
    const why = res.stderr.toString("utf8").trim().slice(0, 300);
    throw new Error(`could not start badblocks: ${launched.reason}${why ? ` (${why})` : ""}`);
  }
  setStageRemote(ctx.db, ctx.stage.id, jobDir, launched.pgid);
  addJobEvent(ctx.db, ctx.job.id, "launch", launched.kind === "existing"
    ? `found this job's badblocks already launched (process group ${launched.pgid ?? "?"})`
    : `badblocks started (process group ${launched.pgid})`);
  ctx.log.info({ jobDir, pgid: launched.pgid, argv }, "badblocks launched");
}

export const surfaceValidate: StageImpl = {
  name: "surface_validate",
  async run(ctx) {
    const options = JSON.parse(ctx.job.options_json) as SurfaceOptions;
    const jobDir = ctx.stage.remote_dir ?? jobDirFor(ctx.host.work_dir, ctx.job.id, ctx.stage.seq);
    if (!ctx.stage.remote_dir) await launch(ctx, jobDir, options);
    const onAbort = () => {
      ctx.reader.markCancelled(ctx.stage.id);
      ctx.registry
        .exec(ctx.host.id, buildCancelScript(jobDir), { timeoutMs: 60_000 })
        .then((r) => ctx.log.info({ out: r.stdout.toString().trim() }, "cancel sent"))
        .catch((err) => ctx.log.error({ err }, "cancel failed"));
    };
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener("abort", onAbort, { once: true });
    const verdict = await ctx.reader.follow({
      jobId: ctx.job.id,
      stageId: ctx.stage.id,
      jobDir,
      patterns: options.patterns ?? [...DEFAULT_PATTERNS],
      logOffset: ctx.stage.log_offset,
      bbOffset: ctx.stage.bb_offset,
      parserState: ctx.stage.parser_state ? (JSON.parse(ctx.stage.parser_state) as ProgressState) : null,
      badBlocks: badBlocksOf(ctx.db, ctx.job.id),
      logTail: logTailOf(ctx.db, ctx.job.id),
    });
    ctx.signal.removeEventListener("abort", onAbort);
    if (verdict.kill) {
      const res = await ctx.registry.exec(ctx.host.id, buildCancelScript(jobDir), { timeoutMs: 60_000 });
      addJobEvent(ctx.db, ctx.job.id, "stopped", `stopped the stuck badblocks: ${parseCancelOutput(res.stdout) ?? "no answer"}`);
    }
    return { status: verdict.status, errorText: verdict.errorText };
  },
};
