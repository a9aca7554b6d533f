// The host check's verdict: pure, from the facts check-script.ts printed to lines an operator reads.
// Each line says what was found; a problem says how to fix it. `fail` lines mean the host cannot run
// a burn-in (Kiln refuses to add it); `warn` lines mean part of Kiln will not work or not survive.
import { HARMLESS, USER_TOOLS } from "./check-script.js";
import { SUDO_COMMANDS } from "../remote/privilege.js";

export type CheckStatus = "ok" | "warn" | "fail";

export interface CheckLine {
  id: string;
  label: string;
  status: CheckStatus;
  detail: string;
  /** How to fix it; set on every warn and fail line. */
  fix?: string;
}

export interface CheckResult {
  lines: CheckLine[];
  /** No fail line: a burn-in can run. */
  ok: boolean;
  /** The sudo mode the check ran in (detected when asked for "auto"); null when it never got that far. */
  sudo: boolean | null;
}

/** Below this, job logs may not fit (a 20 TB drive's squeezed progress log stays well under 10 MiB). */
const MIN_FREE_KIB = 100 * 1024;
/** Kiln keeps up to this many SSH channels open per host (ssh/connection.ts default). */
const KILN_CHANNELS = 8;

/** KILN-CHECK lines → key → values (a key may repeat: tool, priv). */
function parseCheckOutput(stdout: string): Map<string, string[]> {
  const facts = new Map<string, string[]>();
  for (const line of stdout.split("\n")) {
    const m = /^KILN-CHECK (\S+) ?(.*)$/.exec(line);
    if (!m) continue;
    const list = facts.get(m[1]!) ?? [];
    list.push(m[2]!.trim());
    facts.set(m[1]!, list);
  }
  return facts;
}

interface Ctx {
  facts: Map<string, string[]>;
  user: string;
  truenas: boolean;
  sudo: boolean;
}

const one = (f: Map<string, string[]>, key: string): string | undefined => f.get(key)?.[0];

/** The fix for one refused command. */
function sudoToolFix(c: Ctx, path: string): string {
  return c.truenas
    ? `in the TrueNAS UI: Credentials > Users > ${c.user} > Edit: add ${path} to "Allowed sudo commands with no password"`
    : `allow ${path} with NOPASSWD in ${c.user}'s sudoers rule (the whole rule: see "Passwordless sudo")`;
}

/** The fix for the sudo rule as a whole: every command Kiln needs, as this host resolves them. */
function sudoRuleFix(c: Ctx): string {
  const list = allPaths(c).join(", ");
  return c.truenas
    ? `in the TrueNAS UI: Credentials > Users > ${c.user} > Edit > "Allowed sudo commands with no password": ${list} (or tick "Allow all sudo commands with no password")`
    : `give ${c.user} Kiln's whole list: echo '${c.user} ALL=(root) NOPASSWD: ${list}' > /etc/sudoers.d/kiln`;
}

/** The paths this host resolved for Kiln's privileged tools (the README's defaults for missing ones). */
function allPaths(c: Ctx): string[] {
  return SUDO_COMMANDS.map((cmd) => {
    const found = (c.facts.get("priv") ?? []).map((r) => r.split(" ")).find(([t, p]) => t === cmd.tool && p !== "-");
    return found?.[1] ?? cmd.path;
  });
}

function osLines(f: Map<string, string[]>): CheckLine[] {
  const os = one(f, "os") ?? "";
  const version = one(f, "truenas");
  const distro = one(f, "distro");
  const detail = [version ? `TrueNAS ${version.replace(/^TrueNAS-/, "")}` : null, distro || null, os].filter(Boolean).join(" · ");
  if (!os.startsWith("Linux")) {
    const core = /^FreeBSD/.test(os);
    return [{
      id: "os", label: "Operating system", status: "fail", detail: detail || "unknown",
      fix: core
        ? "FreeBSD (TrueNAS CORE) cannot run Kiln's burn-in (it needs Linux: badblocks, /proc, setsid); burn disks in on a Linux host or TrueNAS SCALE"
        : "Kiln needs a Linux host",
    }];
  }
  return [{ id: "os", label: "Operating system", status: "ok", detail }];
}

function rightsLine(c: Ctx): CheckLine {
  const uid = one(c.facts, "uid");
  if (uid === "0") return { id: "rights", label: "Rights", status: "ok", detail: `logs in as ${c.user} (root): no sudo needed` };
  if (!c.sudo) {
    return {
      id: "rights", label: "Rights", status: "fail", detail: `logs in as ${c.user} (uid ${uid ?? "?"}) without sudo: badblocks and smartctl cannot open disks`,
      fix: "run the check with sudo: POST /api/v1/hosts/:id/check {\"useSudo\": true} (it becomes the host's mode when it passes), or log in as root",
    };
  }
  const sudo = one(c.facts, "sudo") ?? "-";
  if (sudo === "-") {
    return { id: "rights", label: "Rights", status: "fail", detail: `logs in as ${c.user}; sudo is not installed`, fix: "install sudo, or log in as root" };
  }
  const version = /Sudo version (\S+)/.exec(sudo)?.[1];
  return { id: "rights", label: "Rights", status: "ok", detail: `logs in as ${c.user}; privileged commands run through sudo -n${version ? ` (sudo ${version})` : ""}` };
}

/** "smartctl 7.3", "util-linux 2.38.1", "procps-ng 4.0.2", "e2fsprogs 1.47.0" from a version line. */
function versionOf(tool: string, line: string): string {
  const from = /\bfrom (\S+ \d[\w.-]*)/.exec(line);
  if (from) return from[1]!;
  const own = /^(?:\S*\/)?(\S+) (\d[\w.-]*)/.exec(line);
  if (!own) return "";
  return tool === "badblocks" ? `e2fsprogs ${own[2]}` : `${own[1]} ${own[2]}`;
}

/** Each privileged tool: present, and runs with the rights a burn-in uses. */
function privLines(c: Ctx): CheckLine[] {
  const lines: CheckLine[] = [];
  const refused: string[] = [];
  const missing = new Set<string>();
  const how = c.sudo ? "via sudo -n" : one(c.facts, "uid") === "0" ? "as root" : `as ${c.user}, not root`;
  for (const raw of c.facts.get("priv") ?? []) {
    const [tool = "", path = "-", rc = "-"] = raw.split(" ");
    const cmd = SUDO_COMMANDS.find((x) => x.tool === tool);
    if (!cmd) continue;
    const out = one(c.facts, `out.${tool}`) ?? "";
    const version = versionOf(tool, tool === "badblocks" ? one(c.facts, "e2fsprogs") ?? "" : out);
    const critical = tool === "badblocks" || tool === "kill";
    if (path === "-") {
      missing.add(tool);
      lines.push({
        id: `tool.${tool}`, label: tool, status: critical ? "fail" : "warn", detail: "not installed",
        fix: tool === "smartctl" ? "install smartmontools: without it the SMART stages and the temperature guard are skipped"
          : `install ${tool === "kill" ? "procps" : tool === "badblocks" ? "e2fsprogs" : "util-linux"}`,
      });
      continue;
    }
    if (HARMLESS[tool]!.expect.test(out)) {
      lines.push({ id: `tool.${tool}`, label: tool, status: "ok", detail: `${version ? `${version}, ` : ""}${path}: runs ${how}` });
      continue;
    }
    refused.push(path);
    const sudoSaid = /^sudo:|not allowed|password is required|may not run/i.test(out) ? ` (${out.slice(0, 160)})` : out ? ` (exit ${rc}: ${out.slice(0, 160)})` : ` (exit ${rc})`;
    lines.push({
      id: `tool.${tool}`, label: tool, status: "fail", detail: `${path} does not run ${how}${sudoSaid}`,
      fix: c.sudo ? sudoToolFix(c, path) : `check that ${path} is executable by root`,
    });
  }
  if (missing.has("blkid") && missing.has("wipefs")) {
    lines.push({ id: "probes", label: "Signature probes", status: "fail", detail: "neither blkid nor wipefs is installed: Kiln cannot tell a blank disk from one in use", fix: "install util-linux" });
  }
  if (c.sudo && refused.length > 0) {
    lines.push({ id: "sudo", label: "Passwordless sudo", status: "fail", detail: `sudo -n refused ${refused.length} of Kiln's ${SUDO_COMMANDS.length} commands`, fix: sudoRuleFix(c) });
  } else if (c.sudo && refused.length === 0) {
    lines.push({ id: "sudo", label: "Passwordless sudo", status: "ok", detail: `all ${SUDO_COMMANDS.length - missing.size} of Kiln's commands run with sudo -n` });
  }
  return lines;
}

function userToolLines(c: Ctx): CheckLine[] {
  const absent: string[] = [];
  for (const raw of c.facts.get("tool") ?? []) {
    const [tool = "", path = "-"] = raw.split(" ");
    if (path === "-") absent.push(tool);
  }
  const optional = new Set(["timeout", ...(c.sudo ? [] : ["pgrep"])]);
  const needed = absent.filter((t) => !optional.has(t));
  const lines: CheckLine[] = [];
  if (needed.length) {
    lines.push({ id: "tools", label: "Shell tools", status: "fail", detail: `missing: ${needed.join(", ")}`, fix: "install coreutils, util-linux, procps (Kiln's scripts need them as the login user)" });
  } else {
    lines.push({ id: "tools", label: "Shell tools", status: "ok", detail: `${USER_TOOLS.filter((t) => !absent.includes(t)).join(", ")} present` });
  }
  if (absent.includes("timeout")) {
    lines.push({ id: "tools.timeout", label: "timeout", status: "warn", detail: "not installed: a hung probe blocks a scan until Kiln's own deadline", fix: "install coreutils" });
  }
  return lines;
}

function workDirLines(c: Ctx): CheckLine[] {
  const wd = one(c.facts, "wd") ?? "?";
  const write = one(c.facts, "wdwrite") ?? "no";
  const fs = one(c.facts, "wdfs") ?? "";
  const mount = one(c.facts, "wdmount") ?? "";
  const freeKib = Number(one(c.facts, "wdfree") ?? "NaN");
  const lines: CheckLine[] = [];
  const dirFix = c.truenas
    ? `set the host's work dir to a directory on a pool dataset that ${c.user} owns, e.g. /mnt/tank/kiln (Datasets > add dataset, then Permissions: owner ${c.user})`
    : `create it and give it to ${c.user}: mkdir -p ${wd} && chown ${c.user} ${wd}`;
  if (write === "exists") lines.push({ id: "workdir", label: "Work dir", status: "ok", detail: `${wd} is writable` });
  else if (write.startsWith("creatable")) lines.push({ id: "workdir", label: "Work dir", status: "ok", detail: `${wd} will be created (in ${write.slice(10)}, writable)` });
  else lines.push({ id: "workdir", label: "Work dir", status: "fail", detail: `${wd} is not writable by ${c.user}`, fix: dirFix });
  if (/^(tmpfs|ramfs)$/.test(fs)) {
    lines.push({ id: "workdir.fs", label: "Work dir survives reboot", status: "warn", detail: `${wd} is on ${fs} (${mount}): a reboot loses the job logs and a burn-in cannot resume`, fix: dirFix });
  } else if (c.truenas && mount !== "" && !mount.startsWith("/mnt/")) {
    lines.push({ id: "workdir.fs", label: "Work dir survives reboot", status: "warn", detail: `${wd} is on the boot pool (${fs || "?"} at ${mount}): it survives a reboot, but a TrueNAS update can replace it`, fix: dirFix });
  } else {
    lines.push({ id: "workdir.fs", label: "Work dir survives reboot", status: "ok", detail: `${fs || "unknown filesystem"} at ${mount || "?"}` });
  }
  if (!Number.isFinite(freeKib)) {
    lines.push({ id: "workdir.free", label: "Free space", status: "warn", detail: "df did not answer", fix: `check the filesystem of ${wd}` });
  } else if (freeKib < MIN_FREE_KIB) {
    lines.push({ id: "workdir.free", label: "Free space", status: "warn", detail: `${Math.floor(freeKib / 1024)} MiB free for logs`, fix: `free at least ${MIN_FREE_KIB / 1024} MiB on ${mount || wd}, or move the work dir` });
  } else {
    lines.push({ id: "workdir.free", label: "Free space", status: "ok", detail: `${(freeKib / 1024 / 1024).toFixed(1)} GiB free for logs` });
  }
  return lines;
}

function sessionLines(c: Ctx): CheckLine[] {
  const lines: CheckLine[] = [];
  const ms = one(c.facts, "maxsessions") ?? "unreadable";
  const msNum = Number(ms);
  if (ms === "unreadable") lines.push({ id: "sshd", label: "sshd MaxSessions", status: "ok", detail: "sshd_config not readable; Kiln opens at most 8 channels (sshd's default allows 10)" });
  else if (ms === "default") lines.push({ id: "sshd", label: "sshd MaxSessions", status: "ok", detail: "10 (sshd's default); Kiln opens at most 8" });
  else if (Number.isFinite(msNum) && msNum < KILN_CHANNELS) {
    lines.push({ id: "sshd", label: "sshd MaxSessions", status: "warn", detail: `${ms}: Kiln opens up to ${KILN_CHANNELS} channels at once, sshd refuses the rest`, fix: c.truenas ? "System > Services > SSH > Edit > Auxiliary Parameters: MaxSessions 10" : "set MaxSessions 10 in /etc/ssh/sshd_config and reload sshd" });
  } else lines.push({ id: "sshd", label: "sshd MaxSessions", status: "ok", detail: `${ms}; Kiln opens at most ${KILN_CHANNELS}` });

  const kill = (one(c.facts, "killuser") ?? "").toLowerCase();
  const linger = one(c.facts, "linger");
  const excluded = (one(c.facts, "killexclude") ?? "root").split(/\s+/).includes(c.user) || (c.user === "root" && !one(c.facts, "killexclude"));
  const lingerText = linger === "yes" ? "linger on" : linger === "no" ? "linger off" : "";
  if (kill === "nosystemd" || kill === "") {
    lines.push({ id: "sessions", label: "Survives SSH logout", status: "ok", detail: "no systemd-logind: detached processes outlive the SSH session" });
  } else if (/^(true|yes|1|on)$/.test(kill) && !excluded) {
    lines.push({
      id: "sessions", label: "Survives SSH logout", status: "warn",
      detail: `systemd-logind KillUserProcesses=yes${lingerText ? `, ${lingerText}` : ""}: badblocks is killed when Kiln's SSH session ends`,
      fix: `set KillUserProcesses=no in /etc/systemd/logind.conf (Debian's and TrueNAS SCALE's default), or add ${c.user} to KillExcludeUsers`,
    });
  } else {
    lines.push({ id: "sessions", label: "Survives SSH logout", status: "ok", detail: `KillUserProcesses=${kill === "default" ? "no (default)" : kill}${excluded && /^(true|yes|1|on)$/.test(kill) ? ` but ${c.user} is excluded` : ""}${lingerText ? `, ${lingerText}` : ""}` });
  }
  return lines;
}

/** Judges a host from the check script's output. */
export function judgeHost(stdout: string, username: string): CheckResult {
  const facts = parseCheckOutput(stdout);
  if (!facts.has("end")) {
    return { ok: false, sudo: null, lines: [{ id: "check", label: "Host check", status: "fail", detail: "the check script did not finish", fix: "run Check host again; if it repeats, check that /bin/sh works for the user" }] };
  }
  const os = osLines(facts);
  if (os[0]!.status === "fail") return { ok: false, sudo: null, lines: os };
  const c: Ctx = { facts, user: one(facts, "user") || username, truenas: facts.has("truenas"), sudo: one(facts, "sudomode") === "1" };
  const lines = [...os, rightsLine(c), ...privLines(c), ...userToolLines(c), ...workDirLines(c), ...sessionLines(c)];
  return { lines, ok: !lines.some((l) => l.status === "fail"), sudo: c.sudo };
}

/** One line per problem with its fix, for logs, errors and the CLI. */
export function problemText(lines: readonly CheckLine[]): string[] {
  return lines.filter((l) => l.status !== "ok").map((l) => `${l.status === "fail" ? "✗" : "!"} ${l.label}: ${l.detail}. Fix: ${l.fix ?? "see the README"}`);
}
