// The host-side scan: one read-only POSIX sh script that prints framed sections for scan.ts.
// Framing: every section starts on a line "@@KILN:<nonce> <section> [args…]", where the nonce is
// fresh per script, so nothing a device or mount can name is ever taken for a frame. The first frame
// is "begin <version>"; the last is "end". Probe sections carry the command's exit code as their
// last argument, followed by an optional "stderr <section> <dev>" section.
//
// Device names reach commands only from /sys/block, and only after a strict `case` check in the
// shell itself ([A-Za-z0-9._:-]); other names are reported in a "skipped" section. No eval; the only
// values interpolated from TypeScript are the nonce and a 0/1 flag, both through shQuote.
import { SAFE_DEVICE_NAME } from "./lsblk.js";
import { randomBytes } from "node:crypto";
import { shQuote } from "../shell/quote.js";
import { ROOT_FNS } from "../remote/privilege.js";
import { privileged } from "../remote/privileged.js";
import type { ScanOptions } from "./types.js";

const SCAN_FORMAT_VERSION = 1;
export const FRAME_PREFIX = "@@KILN:";

/** lsblk columns every util-linux with JSON output (>= 2.27) knows; PATH needs 2.33, MOUNTPOINTS 2.37. */
const LSBLK_COLUMNS = "NAME,KNAME,MAJ:MIN,TYPE,SIZE,ROTA,TRAN,SERIAL,WWN,MODEL,VENDOR,REV,FSTYPE,LABEL,PKNAME,HOTPLUG,RM,RO,PTTYPE";

const SCRIPT_BODY = String.raw`
# The login shell runs this (TrueNAS SCALE's root shell is zsh): make zsh behave like sh.
if [ -n "${"$"}{ZSH_VERSION-}" ]; then emulate sh; fi
LC_ALL=C; export LC_ALL
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"; export PATH
have() { command -v "$1" >/dev/null 2>&1; }
sec() { printf '\n%s %s\n' "$M" "$*"; }
tmo() { if have timeout; then timeout "$@"; else shift; "$@"; fi; }
# Probes that read a device run as root: kiln_root (remote/privileged.ts) adds sudo -n on sudo hosts.
T=$(mktemp -d 2>/dev/null) || T=''
if [ -n "$T" ]; then trap 'rm -rf "$T"' EXIT; trap 'rm -rf "$T"; exit 1' HUP INT TERM; fi
# probe SECTION ARG CMD...: frame "SECTION ARG RC", then stdout, then stderr in its own frame.
probe() {
  s=$1; a=$2; shift 2
  if [ -n "$T" ]; then
    "$@" >"$T/o" 2>"$T/e"; rc=$?
    sec "$s" "$a" "$rc"; cat "$T/o"
    if [ -s "$T/e" ]; then sec stderr "$s" "$a"; head -c 2000 "$T/e"; fi
  else
    o=$("$@" 2>/dev/null); rc=$?
    sec "$s" "$a" "$rc"; printf '%s\n' "$o"
  fi
}
sec begin "$V"
for t in lsblk blkid wipefs smartctl; do have "$t" || sec missing "$t"; done
if have lsblk; then
  if lsblk -J -b -o "PATH,$C,MOUNTPOINTS" >/dev/null 2>&1; then probe lsblk mountpoints lsblk -J -b -o "PATH,$C,MOUNTPOINTS"
  elif lsblk -J -b -o "PATH,$C,MOUNTPOINT" >/dev/null 2>&1; then probe lsblk mountpoint lsblk -J -b -o "PATH,$C,MOUNTPOINT"
  else probe lsblk mountpoint lsblk -J -b -o "$C,MOUNTPOINT"; fi
fi
sec byid
if [ -d /dev/disk/by-id ]; then
  for l in /dev/disk/by-id/*; do
    [ -L "$l" ] || continue
    n=${"$"}{l##*/}
    case $n in *[!A-Za-z0-9._:+@,=-]*) continue ;; esac
    t=$(readlink -f "$l" 2>/dev/null) || continue
    t=${"$"}{t##*/}
    case $t in ''|*[!A-Za-z0-9._:-]*) continue ;; esac
    printf '%s %s\n' "$n" "$t"
  done
fi
sec mountinfo; cat /proc/self/mountinfo 2>/dev/null
sec swaps; cat /proc/swaps 2>/dev/null
for d in /sys/block/*; do
  [ -e "$d" ] || continue
  n=${"$"}{d##*/}
  if [ -n "$O" ]; then case "$O" in *" $n "*) ;; *) continue ;; esac; fi
  case $n in
    *[!A-Za-z0-9._:-]*) sec skipped invalid-name; printf '%s\n' "$n"; continue ;;
    ram*|zram*|sr*|fd*|dm-*|md*|mmcblk*boot*|mmcblk*rpmb) continue ;;
    loop*) [ "$L" = 1 ] || continue ;;
  esac
  [ "$(cat "$d/hidden" 2>/dev/null)" = 1 ] && continue
  sz=$(cat "$d/size" 2>/dev/null)
  [ "${"$"}{sz:-0}" -gt 0 ] 2>/dev/null || continue
  sec dev "$n" "$sz"
  sec holders "$n"
  for h in "$d"/holders/* "$d/$n"*/holders/*; do [ -e "$h" ] && printf '%s\n' "${"$"}{h##*/}"; done
  if [ -r "$d/loop/backing_file" ]; then sec backing "$n"; cat "$d/loop/backing_file"; fi
  if have blkid; then probe blkid "$n" ${privileged("blkid", 30)} -p -o export "/dev/$n"; fi
  if have wipefs; then probe wipefs "$n" ${privileged("wipefs", 30)} -n -J "/dev/$n"; fi
  # Loop devices are asked too (only listed with L=1): smartctl answers "Unable to detect device type",
  # unless a test host presents one as a SMART drive through a smartctl stand-in.
  if have smartctl; then probe smartctl "$n" ${privileged("smartctl", 60)} --json -n standby -i -A "/dev/$n"; fi
done
if have zpool; then probe zpool - tmo 60 zpool status -LP; fi
if have midclt; then probe midclt - tmo 60 midclt call disk.details; fi
sec end
`;

/** " sda loop3 " for the in-script filter; every name must be a plain kernel device name. */
function onlyList(only: string[] | undefined): string {
  if (only === undefined) return "";
  if (only.length === 0) throw new Error("scan: `only` must name at least one device");
  for (const n of only) if (!SAFE_DEVICE_NAME.test(n)) throw new Error(`scan: unsafe device name ${JSON.stringify(n)}`);
  return ` ${only.join(" ")} `;
}

/** A fresh frame nonce; give the same one to buildScanScript and parseScanOutput. */
export function newScanNonce(): string {
  return randomBytes(8).toString("hex");
}

/** Builds the scan script; run it with `sh -c` (locally or through HostPort.exec; sh, bash, zsh). */
export function buildScanScript(opts: ScanOptions, nonce: string = newScanNonce()): string {
  if (!/^[0-9a-f]{8,64}$/.test(nonce)) throw new Error("scan nonce must be 8-64 lowercase hex digits");
  const head = [
    "# Kiln drive scan: read-only; prints framed sections.",
    `M=${shQuote(FRAME_PREFIX + nonce)}`,
    `V=${shQuote(String(SCAN_FORMAT_VERSION))}`,
    `L=${shQuote(opts.includeLoopDevices ? "1" : "0")}`,
    `C=${shQuote(LSBLK_COLUMNS)}`,
    `O=${shQuote(onlyList(opts.only))}`,
  ];
  return head.join("\n") + "\n" + ROOT_FNS + SCRIPT_BODY;
}
