// How Kiln's host-side scripts get root rights, and how they reach `sh` whatever the login shell is.
//
// A host logs Kiln in either as root (nothing to do) or as an admin with sudo (TrueNAS SCALE:
// `truenas_admin`, zsh, sudo per user). The port layer (hosts/registry.ts) puts `KILN_SUDO=1` or `0`
// in front of every script; scripts call privileged tools only through `kiln_root TOOL ARGS…`
// (ROOT_FNS), which in sudo mode runs `sudo -n /absolute/path/TOOL ARGS…`. So a sudoers rule that
// lists the exact binaries of SUDO_COMMANDS, with NOPASSWD, is all a host needs; none of them can run
// another program (no shell, no setsid, no flock, no timeout behind sudo).
import { InvalidInputError } from "../errors.js";

export interface SudoCommand {
  tool: string;
  /** Where Debian (TrueNAS SCALE) installs it; with merged /usr, /sbin/x and /usr/sbin/x are one file. */
  path: string;
  why: string;
}

/** Every program Kiln runs as root, and why. The README's sudo list is this table (a test holds them equal). */
export const SUDO_COMMANDS = [
  { tool: "badblocks", path: "/usr/sbin/badblocks", why: "the surface test writes and reads the whole block device" },
  { tool: "smartctl", path: "/usr/sbin/smartctl", why: "SMART reads, self-tests and the temperature guard send ATA/NVMe commands to the device" },
  { tool: "blkid", path: "/usr/sbin/blkid", why: "the scan reads each disk's first sectors for filesystem, RAID and partition signatures (in-use check)" },
  { tool: "wipefs", path: "/usr/sbin/wipefs", why: "the scan's second, independent signature probe (read-only: always `wipefs -n`)" },
  { tool: "kill", path: "/usr/bin/kill", why: "cancel and the temperature pause signal badblocks, which runs as root" },
] as const satisfies readonly SudoCommand[];

/** The comma-separated list TrueNAS's "Allowed sudo commands with no password" field takes. */
export function sudoCommandList(): string {
  return SUDO_COMMANDS.map((c) => c.path).join(", ");
}

/**
 * Shell functions every script that needs root includes.
 * kiln_which NAME: sets kiln_w to the absolute path of the executable NAME ($PATH first, then the
 *   usual sbin/bin dirs), or fails.
 * kiln_root [-t SECONDS] TOOL ARGS…: runs TOOL as root: directly when Kiln logs in as root (through
 *   $PATH, as before), else `sudo -n /abs/TOOL ARGS…` (never prompts: a missing rule fails at once);
 *   with -t under `timeout` when the host has it (timeout runs as the user, outside sudo).
 */
export const ROOT_FNS = `kiln_which() {
  kiln_w=""; kiln_ifs=$IFS; IFS=:
  for kiln_d in $PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; do
    case $kiln_d in /*) if [ -f "$kiln_d/$1" ] && [ -x "$kiln_d/$1" ]; then kiln_w="$kiln_d/$1"; break; fi ;; esac
  done
  IFS=$kiln_ifs
  [ -n "$kiln_w" ]
}
kiln_root() {
  kiln_s=""
  if [ "$1" = -t ]; then kiln_s=$2; shift 2; fi
  if [ "\${KILN_SUDO:-0}" = 1 ]; then
    kiln_which "$1" || { echo "kiln: $1 is not installed on the host" >&2; return 127; }
    kiln_t=$kiln_w; shift
    kiln_which sudo || { echo "kiln: sudo is not installed on the host" >&2; return 127; }
    set -- "$kiln_w" -n "$kiln_t" "$@"
  fi
  if [ -n "$kiln_s" ] && command -v timeout >/dev/null 2>&1; then timeout -k 10 "$kiln_s" "$@"; else "$@"; fi
}`;

/** Marks a script for a host: sudo mode on or off, exported so detached wrappers inherit it. */
export function withPrivilege(script: string, sudo: boolean): string {
  return `KILN_SUDO=${sudo ? 1 : 0}; export KILN_SUDO\n${script}`;
}

/**
 * Quotes a word so that bash, dash, zsh, fish (and csh-likes for one-line words) all read it back
 * unchanged: plain runs in single quotes, and the two characters some shell treats specially inside
 * single quotes (fish: backslash; all: the quote) as "'" and "\\" in double quotes, which every one of
 * them reads the same way.
 */
export function portableQuote(s: string): string {
  if (s.includes("\0")) throw new InvalidInputError("a shell word cannot contain a NUL byte");
  if (s === "") return "''";
  return s
    .split(/(['\\])/)
    .filter((part) => part !== "")
    .map((part) => (part === "'" ? `"'"` : part === "\\" ? `"\\\\"` : `'${part}'`))
    .join("");
}

/**
 * The command line sent over SSH. sshd hands it to the user's login shell (`$SHELL -c …`): bash,
 * dash, zsh (TrueNAS SCALE's default) or fish. That shell only execs /bin/sh with the script as one
 * portably quoted word, so no login shell ever parses the script itself.
 */
export function loginShellCommand(script: string): string {
  return `exec /bin/sh -c ${portableQuote(script)}`;
}
