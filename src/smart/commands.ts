// The smartctl command lines Kiln runs on a host, as POSIX sh scripts. The device path is validated
// and single-quoted; everything else is a constant written here. smartctl runs as root: through
// privileged(), i.e. `sudo -n /abs/smartctl` on a sudo host (remote/privileged.ts). The script's exit status is
// smartctl's own (a bitmask, decoded by exit-status.ts), 124 on timeout, 127 when smartctl is missing.
import { shQuote, validateDevicePath } from "../shell/quote.js";
import { ROOT_FNS } from "../remote/privilege.js";
import { privileged } from "../remote/privileged.js";

/** What to read: a full snapshot, the self-test status and log, just what the temperature needs, or Seagate's FARM log. */
export type SmartRead = "all" | "selftest" | "temperature" | "farm";

const READ_ARGS: Record<SmartRead, string> = {
  all: "-a",
  selftest: "-c -l selftest",
  temperature: "-A",
  farm: "-l farm",
};

const PREAMBLE = [
  'if [ -n "${ZSH_VERSION-}" ]; then emulate sh; fi',
  "LC_ALL=C; export LC_ALL",
  // Appended, so a smartctl earlier on the PATH (a newer build in /usr/local) still wins.
  'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"; export PATH',
  'command -v smartctl >/dev/null 2>&1 || { echo "smartctl is not installed on the host" >&2; exit 127; }',
].join("\n");

function run(args: string, device: string, timeoutSeconds: number): string {
  const dev = shQuote(validateDevicePath(device));
  return `${PREAMBLE}
${ROOT_FNS}
${privileged("smartctl", timeoutSeconds)} --json ${args} ${dev}
`;
}

export function smartReadScript(device: string, what: SmartRead = "all"): string {
  return run(READ_ARGS[what], device, 120);
}

export function selfTestStartScript(device: string, kind: "short" | "long"): string {
  return run(kind === "short" ? "-t short" : "-t long", device, 60);
}

export function selfTestAbortScript(device: string): string {
  return run("-X", device, 60);
}
