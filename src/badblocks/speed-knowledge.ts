// What Kiln knows about comparing a drive's surface speed with its siblings', as data. The parser
// (badblocks/progress.ts) cuts each pass into SPEED_REGIONS regions; jobs/batch-speed.ts reads the
// thresholds. Beside knowledge.ts (SMART counters) and new-drive-knowledge.ts (new or used).

/**
 * Regions of the disk, by LBA, each timed in every pass. 10 gives one point per 10 % of the
 * surface: a hard disk's speed falls smoothly from the outer to the inner tracks (about 2:1 over
 * the whole surface on 3.5" drives), so a 10 % region sees a change of ~7 % from its neighbours;
 * a remapped or weak zone shows as one region well below them.
 */
export const SPEED_REGIONS = 10;

export const SPEED_RULES = {
  // A drive whose average surface speed is this far below the median of the same-model drives of
  // its batch is flagged slow. The default; drives of one model and firmware measured side
  // by side differ by a few percent (platter and head tolerances), an SMR drive sold as CMR or a
  // weak head costs far more.
  slowerThanSiblings: 0.15,
  // A region this far below the median of its two neighbours on each side (its own curve) is flagged
  // slow. Kiln's judgement: the natural fall-off of a hard disk makes the innermost region up to
  // ~15 % slower than that median, so the bound sits well above it.
  regionBelowCurve: 0.35,
  // A region is flagged only when it is below its curve in at least this share of the passes: a
  // weak zone is slow in every pass, a busy host (or a one-off retry) slows one pass at a time.
  regionPassShare: 2 / 3,
  // Same-model siblings needed before a drive is compared with them (itself included); with one or
  // two there is no median worth the name.
  minSiblings: 3,
} as const;
