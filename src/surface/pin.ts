// After a surface test: the job's bad-block list pinned to the true blocks (badblocks/compare-pin.ts
// says why -w lists compare errors one chunk late), by read-only `badblocks -t PATTERN` checks of the
// chunk before each listed block on the host; without a completed test, only blocks on the device stay.
import { onDevice, pinList, pinRanges, type Pinned } from "../badblocks/compare-pin.js";
import type { StageContext } from "../stage-kit/types.js";

/** More ranges than this are not checked one by one (a dying disk): only blocks past the end are dropped. */
const MAX_PIN_RANGES = 256;

export interface PinGeometry {
  blockSize: number;
  blocksAtOnce: number;
  blockCount: number;
  patterns: string[];
}

function describe(p: Pinned): string {
  const parts: string[] = [];
  if (p.moved.length) parts.push(`moved ${p.moved.map(([r, t]) => `${r} → ${t}`).join(", ")} (compare errors badblocks -w reports one chunk late, found by a read-only check)`);
  if (p.dropped.length) parts.push(`dropped ${p.dropped.join(", ")} (past the end of the device, not confirmed by a read-only check)`);
  return `bad-block list pinned to the true blocks: ${parts.join("; ") || "checked"}`;
}

/**
 * Settles the job's bad-block list once the surface test is over. `completed`: the whole test ran to
 * its end, so the device holds its last pattern everywhere and a read-only check of it is exact.
 */
export async function settleBadBlocks(ctx: StageContext, g: PinGeometry, completed: boolean): Promise<void> {
  const listed = ctx.recorder.badBlocks();
  if (listed.length === 0) return;
  const pattern = g.patterns[g.patterns.length - 1] ?? "random";
  const ranges = pinRanges(listed, g.blockCount, g.blocksAtOnce);
  let pinned = onDevice(listed, g.blockCount);
  if (completed && pattern !== "random" && ranges.length <= MAX_PIN_RANGES) {
    try {
      const found = await ctx.port.check({
        device: ctx.job.device_path, sizeBytes: ctx.drive.size_bytes, blockSize: g.blockSize, blocksAtOnce: g.blocksAtOnce, pattern, ranges,
      });
      if (found) pinned = pinList(listed, found, g.blockCount, g.blocksAtOnce);
      else ctx.log.warn("pinning bad blocks: a read-only check did not run to its end");
    } catch (err) {
      ctx.log.warn({ err }, "pinning bad blocks: the host did not answer");
    }
  }
  if (pinned.list.length === listed.length && pinned.list.every((b, i) => b === listed[i])) return;
  await ctx.recorder.replaceBadBlocks(pinned.list);
  ctx.recorder.note("bad-blocks", describe(pinned));
}
