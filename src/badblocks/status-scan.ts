// The fast path of progress.ts: reads a badblocks status record (`50.00% done, 1:02:03 elapsed.
// (0/0/0 errors)`) straight out of a chunk's bytes, without decoding, trimming or a regex match.
// Status records are nearly every record of a log, so this is where the parser's time goes.
// (Bytes, not a string: string methods run several times slower in a process that has loaded
// nunjucks, whose SafeString derives from String.prototype; Kiln's does.)
//
// It accepts only what STATUS in progress.ts accepts after `trim()` and computes the same numbers;
// anything it is unsure of (other leading whitespace, more than 15 digits in a number, a malformed
// record) returns null and the caller takes the general, regex path. Numbers of at most 15 digits
// are exact integers, and an exact integer divided by a power of ten is rounded once, as Number()
// rounds the decimal bytes, so both paths give identical results.

export interface StatusRecord {
  pct: number;
  elapsedSeconds: number;
  /** null when the record carries no `(r/w/c errors)` group. */
  errors: { read: number; write: number; corrupt: number } | null;
}

const SPACE = 32;
const DOT = 46;
const COLON = 58;
const ZERO = 48;
const NINE = 57;
const MAX_DIGITS = 15;
const ascii = (word: string) => Uint8Array.from(word, (ch) => ch.charCodeAt(0));
const DONE = ascii("% done, ");
const ELAPSED = ascii(" elapsed");
const OPEN = ascii(" (");
const SLASH_WORD = ascii("/");
const ERRORS = ascii(" errors)");

/** `bytes[start, end)` as a status record, or null (see above). */
export function scanStatus(bytes: Uint8Array, start: number, end: number): StatusRecord | null {
  let i = start;
  while (i < end && bytes[i] === SPACE) i++;
  // percent: \d+(?:\.\d+)?
  const intEnd = digitsEnd(bytes, i, end);
  if (intEnd === i) return null;
  let pctEnd = intEnd;
  let scale = 1;
  if (bytes[intEnd] === DOT && intEnd < end) {
    pctEnd = digitsEnd(bytes, intEnd + 1, end);
    if (pctEnd === intEnd + 1) return null;
    scale = 10 ** (pctEnd - intEnd - 1);
  }
  if (pctEnd - i - (scale > 1 ? 1 : 0) > MAX_DIGITS) return null;
  const pct = (digitsValue(bytes, i, intEnd) * scale + (scale > 1 ? digitsValue(bytes, intEnd + 1, pctEnd) : 0)) / scale;
  i = literal(bytes, pctEnd, end, DONE);
  if (i < 0) return null;
  // elapsed: \d+(?::\d+)+, folded as progress.ts's seconds() folds it
  let elapsed = 0;
  let parts = 0;
  for (;;) {
    const partEnd = digitsEnd(bytes, i, end);
    if (partEnd === i || partEnd - i > MAX_DIGITS) return null;
    elapsed = elapsed * 60 + digitsValue(bytes, i, partEnd);
    parts++;
    i = partEnd;
    if (i < end && bytes[i] === COLON) i++;
    else break;
  }
  if (parts < 2) return null;
  i = literal(bytes, i, end, ELAPSED);
  if (i < 0) return null;
  if (i < end && bytes[i] === DOT) i++;
  const errors = errorGroup(bytes, i, end);
  return errors === UNSURE ? null : { pct, elapsedSeconds: elapsed, errors };
}

const UNSURE = "unsure";

/**
 * ` (r/w/c errors)` at `i`; null when it is not all there (the regex then matches without it),
 * UNSURE for a number too long to read exactly.
 */
function errorGroup(bytes: Uint8Array, i: number, end: number): StatusRecord["errors"] | typeof UNSURE {
  let at = literal(bytes, i, end, OPEN);
  const read = number(bytes, at, end);
  at = read < 0 ? -1 : literal(bytes, digitsEnd(bytes, at, end), end, SLASH_WORD);
  const write = number(bytes, at, end);
  at = write < 0 ? -1 : literal(bytes, digitsEnd(bytes, at, end), end, SLASH_WORD);
  const corrupt = number(bytes, at, end);
  at = corrupt < 0 ? -1 : literal(bytes, digitsEnd(bytes, at, end), end, ERRORS);
  if (read === TOO_LONG || write === TOO_LONG || corrupt === TOO_LONG) return UNSURE;
  return at < 0 ? null : { read, write, corrupt };
}

const TOO_LONG = -2;

/** The number at `at`: -1 when there is none (or `at` is -1), TOO_LONG past MAX_DIGITS. */
function number(bytes: Uint8Array, at: number, end: number): number {
  if (at < 0) return -1;
  const e = digitsEnd(bytes, at, end);
  if (e === at) return -1;
  return e - at > MAX_DIGITS ? TOO_LONG : digitsValue(bytes, at, e);
}

function digitsEnd(bytes: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = bytes[i]!;
    if (c < ZERO || c > NINE) break;
    i++;
  }
  return i;
}

function digitsValue(bytes: Uint8Array, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (bytes[i]! - ZERO);
  return v;
}

/** The index after `word` if it is at `i`, else -1. */
function literal(bytes: Uint8Array, i: number, end: number, word: Uint8Array): number {
  if (i < 0 || i + word.length > end) return -1;
  for (let k = 0; k < word.length; k++) if (bytes[i + k] !== word[k]) return -1;
  return i + word.length;
}
