// The host tools that need root, and the one place that says how a script runs them: through
// kiln_root (remote/privilege.ts: ROOT_FNS, which the script must include), i.e. the tool itself on a
// root login and `sudo -n /abs/path/tool` on a sudo host. The one exception is badblocks in the job
// wrapper (remote/scripts.ts), which must be its own background process for $! to name it.
import type { SUDO_COMMANDS } from "./privilege.js";

export type PrivilegedTool = (typeof SUDO_COMMANDS)[number]["tool"];

/** The shell words that run `tool` as root, under `timeout` when `timeoutSeconds` is given. */
export function privileged(tool: PrivilegedTool, timeoutSeconds?: number): string {
  if (timeoutSeconds === undefined) return `kiln_root ${tool}`;
  return `kiln_root -t ${Math.max(1, Math.floor(timeoutSeconds))} ${tool}`;
}
