// The log squeezer: a host-side filter between badblocks' stderr and the job's progress.log.
//
// badblocks redraws its status about once a second (~90 bytes with the backspaces), ~8 MB a day.
// The squeezer turns backspaces into newlines and keeps:
//   - every record that is not a bare status line (headers, `done`, bad-block counts, errors...),
//     including headers that carry a status on the same record;
//   - a bare status line only if badblocks' own elapsed time moved on by at least `seconds` since the
//     last one written;
//   - the last held-back status, just before the next kept record and at the end, so the final
//     percent before `done` survives.
// With 5 s that is ~0.8 MB a day. The parser (badblocks/progress.ts) reads both forms alike.
//
// Portability, checked with mawk 1.3.4, gawk 5.2 and busybox 1.35 awk:
//   - All three accept RS="[\b\n]", but mawk then fills a whole input buffer before it handles a
//     record (minutes of delay at 90 bytes/s), and `mawk -W interactive` forces RS to "\n". So the
//     backspaces are turned into newlines by `tr` first and awk reads lines.
//   - GNU tr buffers its output on a pipe; `stdbuf -o0` (coreutils) unbuffers it. busybox tr does
//     not buffer and busybox systems have no stdbuf, so it is used only where present.
//   - mawk also buffers line input from a pipe unless given `-W interactive`; gawk and busybox awk
//     do not, and do not need (or all understand) that flag, so it is added only for mawk.
//   - The program uses only POSIX awk plus fflush(), which all three have.

import { InvalidInputError } from "../errors.js";
import { shQuote } from "../shell/quote.js";

export const DEFAULT_SQUEEZE_SECONDS = 5;

const SQUEEZE_AWK = `
function secs(s,   n, a, i, t) {
  n = split(s, a, ":"); t = 0
  for (i = 1; i <= n; i++) t = t * 60 + a[i]
  return t
}
function elapsed(r) {
  if (match(r, /[0-9][0-9:]* elapsed/)) return secs(substr(r, RSTART, RLENGTH - 8))
  return -1
}
/^[ \\t\\r]*$/ { next }
/^ *[0-9]+(\\.[0-9]+)?% done, / {
  t = elapsed($0)
  if (!seen || t < 0 || t - last >= S) { print; fflush(); seen = 1; last = t; held = "" }
  else held = $0
  next
}
{
  if (held != "") print held
  held = ""
  print
  fflush()
  t = elapsed($0)
  if (t >= 0) { seen = 1; last = t }
}
END { if (held != "") { print held; fflush() } }
`;

/**
 * A POSIX sh fragment that squeezes stdin (raw badblocks stderr) to stdout. `awk` picks the awk
 * to run (tests use it to try gawk and busybox); by default the host's `awk`.
 */
export function squeezeScript(seconds: number = DEFAULT_SQUEEZE_SECONDS, awk = "awk"): string {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) {
    throw new InvalidInputError(`squeeze interval must be a whole number of seconds from 1 to 3600, got ${String(seconds)}`);
  }
  if (!/^[a-z/][a-z0-9/ ._-]*$/.test(awk)) throw new InvalidInputError(`awk command ${JSON.stringify(awk)} is not a plain command`);
  return [
    `kiln_awk_opts=""`,
    `case "$(${awk} -W version 2>&1 </dev/null | sed -n 1p)" in *mawk*) kiln_awk_opts="-W interactive" ;; esac`,
    `if command -v stdbuf >/dev/null 2>&1; then kiln_tr="stdbuf -o0 tr"; else kiln_tr="tr"; fi`,
    `$kiln_tr '\\010' '\\012' | ${awk} $kiln_awk_opts -v S=${seconds} ${shQuote(SQUEEZE_AWK)}`,
  ].join("\n");
}
