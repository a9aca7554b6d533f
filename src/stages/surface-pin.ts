// After a surface test: the job's bad-block list pinned to the true blocks (badblocks/compare-pin.ts
// says why -w lists compare errors one chunk late), by read-only `badblocks -t PATTERN` checks of the
// chunk before each listed block on the host; without a completed test, only blocks on the device stay.
import { buildBadblocksArgv } from "../badblocks/command.js";
import { onDevice, pinList, pinRanges, type BlockRange, type Pinned } from "../badblocks/compare-pin.js";
import { retryBusy } from "../db/retry.js";
import { addJobEvent, badBlocksOf, replaceBadBlocks } from "../jobs/repo.js";
import { shJoin } from "../shell/quote.js";
import type { StageContext } from "./types.js";

/** More ranges than this are not checked one by one (a dying disk): the list stays as badblocks gave it. */
const MAX_PIN_RANGES = 256;

export interface PinGeometry {
  blockSize: number;
  blocksAtOnce: number;
  blockCount: number;
  patterns: string[];
}

/** The host-side script: one read-only check per range, the bad blocks it finds on stdout. */
export function buildPinScript(device: string, sizeBytes: number, g: PinGeometry, pattern: string, ranges: BlockRange[]): string {
  const runs = ranges.map((r) => {
    const argv = buildBadblocksArgv({
      device, sizeBytes, blockSize: g.blockSize, blocksAtOnce: g.blocksAtOnce, patterns: [pattern],
      outputFile: "/dev/stdout", mode: "readOnly", lastBlock: r.last, firstBlock: r.first,
    });
    return `${shJoin(argv)} 2>/dev/null || echo "KILN-PIN failed $?"`;
  });
  return `PATH="$PATH:/usr/sbin:/sbin"; export PATH
${runs.join("\n")}
echo "KILN-PIN end"
`;
}

/** The blocks the checks found, or null when any check did not run to its end. */
export function parsePinOutput(stdout: Buffer | string): number[] | null {
  const lines = String(stdout).split("\n").map((l) => l.trim()).filter(Boolean);
  if (lines[lines.length - 1] !== "KILN-PIN end" || lines.some((l) => l.startsWith("KILN-PIN failed"))) return null;
  return lines.filter((l) => /^\d+$/.test(l)).map(Number);
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
  const listed = badBlocksOf(ctx.db, ctx.job.id);
  if (listed.length === 0) return;
  const pattern = g.patterns[g.patterns.length - 1] ?? "random";
  const ranges = pinRanges(listed, g.blockCount, g.blocksAtOnce);
  let pinned = onDevice(listed, g.blockCount);
  if (completed && pattern !== "random" && ranges.length <= MAX_PIN_RANGES) {
    try {
      const script = buildPinScript(ctx.job.device_path, ctx.drive.size_bytes, g, pattern, ranges);
      const res = await ctx.registry.exec(ctx.host.id, script, { timeoutMs: 600_000 });
      const found = parsePinOutput(res.stdout);
      if (found) pinned = pinList(listed, found, g.blockCount, g.blocksAtOnce);
      else ctx.log.warn({ out: res.stdout.toString().slice(-300) }, "pinning bad blocks: a read-only check failed");
    } catch (err) {
      ctx.log.warn({ err }, "pinning bad blocks: the host did not answer");
    }
  }
  if (pinned.list.length === listed.length && pinned.list.every((b, i) => b === listed[i])) return;
  await retryBusy(() => replaceBadBlocks(ctx.db, ctx.job.id, pinned.list));
  addJobEvent(ctx.db, ctx.job.id, "bad-blocks", describe(pinned));
}
