// The host check's script: read-only facts about a host, one `KILN-CHECK <key> <value>` line each,
// judged by check.ts. It runs each privileged tool harmlessly (a version or usage line) with exactly
// the rights a burn-in will use (root, or `sudo -n /abs/path`), so "runs" here means "will run".
// The only value from TypeScript is the work dir (validated, quoted) and the sudo mode.
import { remoteDirShellWord } from "../shell/quote.js";
import { ROOT_FNS, SUDO_COMMANDS } from "../remote/privilege.js";

/** Programs the login user runs itself (no root): the job wrapper, reads, the scan. */
export const USER_TOOLS = ["setsid", "mkfifo", "awk", "sed", "tr", "head", "tail", "wc", "mktemp", "lsblk", "pgrep", "timeout"] as const;

/** How each privileged tool is asked harmlessly: arguments, and what its answer must contain. */
export const HARMLESS: Record<string, { args: string; expect: RegExp }> = {
  badblocks: { args: "", expect: /Usage:.*badblocks/ },
  smartctl: { args: "--version", expect: /^smartctl \d/m },
  blkid: { args: "-V", expect: /blkid from util-linux/ },
  wipefs: { args: "-V", expect: /wipefs from util-linux/ },
  kill: { args: "-V", expect: /kill from (procps|util-linux)/ },
};

export interface CheckScriptOptions {
  workDir: string;
  /** "auto": sudo when the login user is not root. */
  sudo: boolean | "auto";
}

export function buildCheckScript(o: CheckScriptOptions): string {
  const mode = o.sudo === "auto" ? "auto" : o.sudo ? "1" : "0";
  const priv = SUDO_COMMANDS.map((c) => `kc_priv ${c.tool} ${HARMLESS[c.tool]!.args}`.trimEnd()).join("\n");
  return `LC_ALL=C; export LC_ALL
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"; export PATH
${ROOT_FNS}
kc() { printf 'KILN-CHECK %s %s\\n' "$1" "$(printf '%s' "$2" | tr '\\n\\r\\t' '   ' | cut -c1-400)"; }
kc os "$(uname -s 2>/dev/null) $(uname -r 2>/dev/null)"
[ -r /etc/version ] && kc truenas "$(head -c 200 /etc/version)"
[ -r /etc/os-release ] && kc distro "$(sed -n 's/^PRETTY_NAME=//p' /etc/os-release | tr -d '"')"
if [ "$(uname -s 2>/dev/null)" != Linux ]; then kc end ""; exit 0; fi
kc uid "$(id -u)"
kc user "$(id -un)"
KILN_SUDO=${mode}
if [ "$KILN_SUDO" = auto ]; then if [ "$(id -u)" = 0 ]; then KILN_SUDO=0; else KILN_SUDO=1; fi; fi
export KILN_SUDO
kc sudomode "$KILN_SUDO"
if kiln_which sudo; then kc sudo "$kiln_w $(sudo -V 2>/dev/null | head -n 1)"; else kc sudo "-"; fi
for t in ${USER_TOOLS.join(" ")}; do
  if kiln_which "$t"; then kc tool "$t $kiln_w"; else kc tool "$t -"; fi
done
kc_priv() {
  kc_t=$1; shift
  if ! kiln_which "$kc_t"; then kc priv "$kc_t - -"; return; fi
  kc_p=$kiln_w
  if [ "$KILN_SUDO" = 1 ]; then kc_o=$(kiln_root "$kc_t" "$@" 2>&1 </dev/null); else kc_o=$("$kc_p" "$@" 2>&1 </dev/null); fi
  kc_rc=$?
  kc priv "$kc_t $kc_p $kc_rc"
  kc "out.$kc_t" "$(printf '%s\\n' "$kc_o" | head -n 1)"
}
${priv}
kiln_which mke2fs && kc e2fsprogs "$("$kiln_w" -V 2>&1 | head -n 1)"
kc_wd=${remoteDirShellWord(o.workDir)}
kc wd "$kc_wd"
kc_e=$kc_wd
while [ ! -d "$kc_e" ] && [ "$kc_e" != / ]; do kc_e=$(dirname "$kc_e"); done
if [ -d "$kc_wd" ]; then
  kc_f="$kc_wd/.kiln-check.$$"
  if ( : > "$kc_f" ) 2>/dev/null; then rm -f "$kc_f"; kc wdwrite "exists"; else kc wdwrite "no"; fi
elif [ -w "$kc_e" ]; then kc wdwrite "creatable $kc_e"
else kc wdwrite "no $kc_e"; fi
kc wdfs "$(stat -f -c %T "$kc_e" 2>/dev/null)"
kc wdmount "$(df -P "$kc_e" 2>/dev/null | awk 'NR==2 {print $6}')"
kc wdfree "$(df -Pk "$kc_e" 2>/dev/null | awk 'NR==2 {print $4}')"
kc_ms=""
for f in /etc/ssh/sshd_config.d/*.conf /etc/ssh/sshd_config; do
  [ -r "$f" ] || continue
  kc_v=$(awk 'tolower($1) == "maxsessions" {print $2; exit}' "$f")
  if [ -n "$kc_v" ]; then kc_ms=$kc_v; break; fi
done
if [ -n "$kc_ms" ]; then kc maxsessions "$kc_ms"; elif [ -r /etc/ssh/sshd_config ]; then kc maxsessions default; else kc maxsessions unreadable; fi
if [ -d /run/systemd/system ]; then
  kc_k=""
  if command -v busctl >/dev/null 2>&1; then
    kc_k=$(busctl get-property org.freedesktop.login1 /org/freedesktop/login1 org.freedesktop.login1.Manager KillUserProcesses 2>/dev/null | awk '{print $2}')
  fi
  if [ -z "$kc_k" ]; then
    kc_k=$(cat /etc/systemd/logind.conf /etc/systemd/logind.conf.d/*.conf 2>/dev/null | sed -n 's/^[[:space:]]*KillUserProcesses[[:space:]]*=[[:space:]]*//p' | tail -n 1)
  fi
  kc killuser "\${kc_k:-default}"
  kc killexclude "$(cat /etc/systemd/logind.conf /etc/systemd/logind.conf.d/*.conf 2>/dev/null | sed -n 's/^[[:space:]]*KillExcludeUsers[[:space:]]*=[[:space:]]*//p' | tail -n 1)"
  if [ -e "/var/lib/systemd/linger/$(id -un)" ]; then kc linger yes; else kc linger no; fi
else
  kc killuser nosystemd
fi
kc end ""
`;
}
