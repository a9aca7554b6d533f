// Percent as Kiln shows it: 100 % means "ended", so nothing shows it before its end is recorded.

/** The most a badblocks run, a stage or a job shows before its terminal record. */
export const PERCENT_BEFORE_END = 99.99;
