// Pinning the bad blocks of a `badblocks -w` run to the blocks that really are bad, pure.
//
// In -w mode badblocks reports a compare error one read late: test_rw advances currently_testing by
// the blocks just read before it compares them, so a corrupt block t in a chunk of `got` blocks is
// listed as t + got (got = blocks-at-once, less in the last chunk or after a read error), and in the
// last chunk that can be past the end of the device (e2fsprogs misc/badblocks.c, test_rw; read and
// write errors, and every error of a read-only run, are listed where they are). After the whole test
// completed, the device holds the last pattern everywhere, so a read-only `badblocks -t PATTERN`
// over the chunk before each listed block, and the block itself, finds the true ones:
//
//   | listed block r                                      | after the check                            |
//   |-----------------------------------------------------|--------------------------------------------|
//   | found by the check                                  | kept (a read error, or corrupt itself)     |
//   | not found; a found block t in [r - c, r)            | replaced by t (a compare error, one chunk  |
//   |                                                     | late); one t stands for every r it explains|
//   | not found, nothing found before it, r < blockCount  | kept (an error the check did not repeat)   |
//   | not found, nothing found before it, r ≥ blockCount  | dropped: never a block past the end        |

export interface BlockRange {
  first: number;
  last: number;
}

/** The ranges to check read-only: for each listed block, the chunk before it and itself, on the device, merged. */
export function pinRanges(listed: readonly number[], blockCount: number, blocksAtOnce: number): BlockRange[] {
  const c = Math.max(1, blocksAtOnce);
  const raw = [...new Set(listed)]
    .map((r) => ({ first: Math.max(0, r - c), last: Math.min(r, blockCount - 1) }))
    .filter((x) => x.first <= x.last)
    .sort((a, b) => a.first - b.first);
  const out: BlockRange[] = [];
  for (const x of raw) {
    const prev = out[out.length - 1];
    if (prev && x.first <= prev.last + 1) prev.last = Math.max(prev.last, x.last);
    else out.push({ ...x });
  }
  return out;
}

export interface Pinned {
  /** The bad-block list as it should stand, sorted. */
  list: number[];
  /** Listed blocks replaced by the block found before them: [reported, true]. */
  moved: [number, number][];
  /** Listed blocks past the end of the device that no check could place. */
  dropped: number[];
}

/** The list after the read-only check found `found` (blocks inside the checked ranges). */
export function pinList(listed: readonly number[], found: readonly number[], blockCount: number, blocksAtOnce: number): Pinned {
  const c = Math.max(1, blocksAtOnce);
  const truth = [...new Set(found)].filter((b) => b >= 0 && b < blockCount).sort((a, b) => a - b);
  const isFound = new Set(truth);
  const keep = new Set(truth);
  const moved: [number, number][] = [];
  const dropped: number[] = [];
  for (const r of [...new Set(listed)].sort((a, b) => a - b)) {
    if (isFound.has(r)) continue;
    // The nearest found block before r within one chunk: the compare error r was reported for.
    const t = [...truth].reverse().find((b) => b < r && b >= r - c);
    if (t !== undefined) moved.push([r, t]);
    else if (r < blockCount) keep.add(r);
    else dropped.push(r);
  }
  return { list: [...keep].sort((a, b) => a - b), moved, dropped };
}

/** Without a check (the test did not complete, or its last pattern was random): only blocks on the device stay. */
export function onDevice(listed: readonly number[], blockCount: number): Pinned {
  const list = [...new Set(listed)].filter((b) => b < blockCount).sort((a, b) => a - b);
  return { list, moved: [], dropped: listed.filter((b) => b >= blockCount) };
}
