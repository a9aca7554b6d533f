// Read-only pattern checks of block ranges (`badblocks -t PATTERN`, never -w): the host-side script
// and the parser of what it printed, for the port's `check` verb. Used to pin the compare errors that
// badblocks -w lists one chunk late to the true blocks (surface/pin.ts).
import { buildBadblocksArgv } from "../badblocks/command.js";
import type { BlockRange } from "../badblocks/compare-pin.js";
import { shJoin } from "../shell/quote.js";

export interface CheckRequest {
  device: string;
  sizeBytes: number;
  blockSize: number;
  blocksAtOnce: number;
  /** The pattern the device holds over these ranges; never random. */
  pattern: string;
  ranges: readonly BlockRange[];
}

/** One read-only check per range, the bad blocks it finds on stdout. */
export function buildCheckScript(o: CheckRequest): string {
  const runs = o.ranges.map((r) => {
    const argv = buildBadblocksArgv({
      device: o.device, sizeBytes: o.sizeBytes, blockSize: o.blockSize, blocksAtOnce: o.blocksAtOnce, patterns: [o.pattern],
      outputFile: "/dev/stdout", mode: "readOnly", lastBlock: r.last, firstBlock: r.first,
    });
    return `${shJoin(argv)} 2>/dev/null || echo "KILN-CHECK failed $?"`;
  });
  return `PATH="$PATH:/usr/sbin:/sbin"; export PATH
${runs.join("\n")}
echo "KILN-CHECK end"
`;
}

/** The blocks the checks found, or null when any check did not run to its end. */
export function parseCheckOutput(stdout: Buffer | string): number[] | null {
  const lines = String(stdout).split("\n").map((l) => l.trim()).filter(Boolean);
  if (lines[lines.length - 1] !== "KILN-CHECK end" || lines.some((l) => l.startsWith("KILN-CHECK failed"))) return null;
  return lines.filter((l) => /^\d+$/.test(l)).map(Number);
}
