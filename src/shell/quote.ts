// POSIX shell quoting and the validation of the few user strings that end up in host-side scripts.
// Rule: every word of a script is either a constant written here or passes through shQuote; device
// paths and work dirs are additionally held to a small safe charset so they can also be matched
// literally (e.g. against /proc/PID/cmdline) without any quoting at all.

import { InvalidInputError } from "../errors.js";

/** Single-quotes `s` for a POSIX shell: `it's` → `'it'\''s'`. */
export function shQuote(s: string): string {
  if (s.includes("\0")) throw new InvalidInputError("a shell word cannot contain a NUL byte");
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Quotes every word and joins them with spaces: a command line that runs exactly `argv`. */
export function shJoin(argv: readonly string[]): string {
  return argv.map(shQuote).join(" ");
}

const SAFE_PATH_CHARS = /^[A-Za-z0-9._:+@=,/-]+$/;
const MAX_PATH = 255;

function describe(p: string): string {
  return JSON.stringify(p.length > 80 ? `${p.slice(0, 80)}…` : p);
}

/** Checks length, charset and segments of `rest` (p without its /dev/, / or ~/ prefix). */
function checkSafePath(p: string, what: string, rest: string): void {
  if (typeof p !== "string" || p.length === 0) throw new InvalidInputError(`${what} is empty`);
  if (p.length > MAX_PATH) throw new InvalidInputError(`${what} ${describe(p)} is longer than ${MAX_PATH} characters`);
  if (rest === "") throw new InvalidInputError(`${what} ${describe(p)} has an empty path segment (nothing after the prefix)`);
  if (!SAFE_PATH_CHARS.test(rest)) {
    throw new InvalidInputError(
      `${what} ${describe(p)} contains characters other than letters, digits and . _ : + @ = , / -`,
    );
  }
  for (const seg of rest.split("/")) {
    if (seg === "") throw new InvalidInputError(`${what} ${describe(p)} has an empty path segment (// or a trailing /)`);
    if (seg === "." || seg === "..") throw new InvalidInputError(`${what} ${describe(p)} has a "${seg}" segment`);
  }
}

/** Accepts `/dev/…` paths made of a safe charset; throws InvalidInputError otherwise. */
export function validateDevicePath(p: string): string {
  if (typeof p !== "string" || !p.startsWith("/dev/")) {
    throw new InvalidInputError(`device path ${describe(String(p))} must start with /dev/`);
  }
  checkSafePath(p, "device path", p.slice("/dev/".length));
  return p;
}

/**
 * A work dir on a host: absolute (`/var/lib/kiln`) or relative to the login user's home (`~/kiln`).
 * Returned unchanged; use remoteDirShellWord() to put it into a script.
 */
export function validateRemoteDir(p: string): string {
  if (typeof p !== "string") throw new InvalidInputError("work dir must be a string");
  let rest: string;
  if (p.startsWith("~/")) rest = p.slice(2);
  else if (p.startsWith("/") && p.length > 1) rest = p.slice(1);
  else throw new InvalidInputError(`work dir ${describe(p)} must be an absolute path or start with ~/`);
  checkSafePath(p, "work dir", rest);
  return p;
}

/** The shell word for a validated work dir: `'/abs'` or `"$HOME"/'rest'` (never an unquoted ~). */
export function remoteDirShellWord(p: string): string {
  validateRemoteDir(p);
  return p.startsWith("~/") ? `"$HOME"/${shQuote(p.slice(2))}` : shQuote(p);
}
