// The host tools that need root, and the one place that says how a script runs them. Every script
// Kiln sends names these tools through `privileged()`, never by hand, so running them as
// `sudo -n /abs/path/tool` for a non-root login is a change to this file alone.

export type PrivilegedTool = "badblocks" | "smartctl" | "kill" | "blkid" | "wipefs";

/** The shell words that run `tool` with the rights it needs (today: the tool itself, from PATH). */
export function privileged(tool: PrivilegedTool): string {
  return tool;
}
