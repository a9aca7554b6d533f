// The host check: its verdict from what the check script prints (pure, one case per kind of host), the
// script itself run for real as root under each login shell, and the command line that every login
// shell (bash, dash, zsh, fish) hands to /bin/sh unchanged.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { buildCheckScript } from "../src/hosts/check-script.js";
import { judgeHost, problemText } from "../src/hosts/check.js";
import { loginShellCommand, portableQuote, ROOT_FNS, withPrivilege } from "../src/remote/privilege.js";

const SHELLS = ["/bin/bash", "/bin/dash", "/usr/bin/zsh", "/usr/bin/fish"];

/** What a TrueNAS SCALE 24.10 host with the README's sudo rule prints (paths as Debian installs them). */
function scaleFacts(over: Record<string, string | string[]> = {}): string {
  const base: Record<string, string | string[]> = {
    os: "Linux 6.6.44-production+truenas", truenas: "24.10.2", distro: "Debian GNU/Linux 12 (bookworm)",
    uid: "950", user: "truenas_admin", sudomode: "1", sudo: "/usr/bin/sudo Sudo version 1.9.13p3",
    tool: ["setsid /usr/bin/setsid", "mkfifo /usr/bin/mkfifo", "awk /usr/bin/awk", "sed /usr/bin/sed", "tr /usr/bin/tr",
      "head /usr/bin/head", "tail /usr/bin/tail", "wc /usr/bin/wc", "mktemp /usr/bin/mktemp", "lsblk /usr/bin/lsblk",
      "pgrep /usr/bin/pgrep", "timeout /usr/bin/timeout"],
    priv: ["badblocks /usr/sbin/badblocks 1", "smartctl /usr/sbin/smartctl 0", "blkid /usr/sbin/blkid 0", "wipefs /usr/sbin/wipefs 0", "kill /usr/bin/kill 0"],
    "out.badblocks": "Usage: /usr/sbin/badblocks [-b block_size] [-i input_file] [-o output_file] [-svwnfBX]",
    "out.smartctl": "smartctl 7.4 2023-08-01 r5530 [x86_64-linux-6.6.44-production+truenas] (local build)",
    "out.blkid": "blkid from util-linux 2.38.1  (libblkid 2.38.1, 04-Aug-2022)",
    "out.wipefs": "wipefs from util-linux 2.38.1",
    "out.kill": "kill from procps-ng 4.0.2",
    e2fsprogs: "mke2fs 1.47.0 (5-Feb-2023)",
    wd: "/mnt/tank/kiln", wdwrite: "exists", wdfs: "zfs", wdmount: "/mnt/tank/kiln", wdfree: "9000000000",
    maxsessions: "default", killuser: "no", killexclude: "", linger: "no", end: "",
    ...over,
  };
  return Object.entries(base)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `KILN-CHECK ${k} ${x}`))
    .join("\n");
}

const byId = (lines: { id: string; status: string }[]) => Object.fromEntries(lines.map((l) => [l.id, l.status]));

describe("the host check's verdict", () => {
  it("passes TrueNAS SCALE 24.10 as truenas_admin with the README's sudo list", () => {
    const r = judgeHost(scaleFacts(), "truenas_admin");
    expect(r.ok).toBe(true);
    expect(r.sudo).toBe(true);
    expect(problemText(r.lines)).toEqual([]);
    const detail = Object.fromEntries(r.lines.map((l) => [l.id, l.detail]));
    expect(detail.os).toBe("TrueNAS 24.10.2 · Debian GNU/Linux 12 (bookworm) · Linux 6.6.44-production+truenas");
    expect(detail.rights).toBe("logs in as truenas_admin; privileged commands run through sudo -n (sudo 1.9.13p3)");
    expect(detail["tool.badblocks"]).toBe("e2fsprogs 1.47.0, /usr/sbin/badblocks: runs via sudo -n");
    expect(detail["tool.smartctl"]).toBe("smartctl 7.4, /usr/sbin/smartctl: runs via sudo -n");
    expect(detail["tool.kill"]).toBe("procps-ng 4.0.2, /usr/bin/kill: runs via sudo -n");
    expect(detail["workdir.fs"]).toBe("zfs at /mnt/tank/kiln");
  });

  it("refuses FreeBSD (TrueNAS CORE) with one line that says why", () => {
    const r = judgeHost("KILN-CHECK os FreeBSD 13.1-RELEASE-p9\nKILN-CHECK truenas TrueNAS-13.0-U6.1\nKILN-CHECK end ", "root");
    expect(r.ok).toBe(false);
    expect(problemText(r.lines)).toEqual([
      "✗ Operating system: TrueNAS 13.0-U6.1 · FreeBSD 13.1-RELEASE-p9. Fix: FreeBSD (TrueNAS CORE) cannot run Kiln's burn-in (it needs Linux: badblocks, /proc, setsid); burn disks in on a Linux host or TrueNAS SCALE",
    ]);
  });

  it("refuses a host without badblocks, names the package", () => {
    const r = judgeHost(scaleFacts({ priv: ["badblocks - -", "smartctl /usr/sbin/smartctl 0", "blkid /usr/sbin/blkid 0", "wipefs /usr/sbin/wipefs 0", "kill /usr/bin/kill 0"] }), "truenas_admin");
    expect(r.ok).toBe(false);
    expect(problemText(r.lines)).toEqual(["✗ badblocks: not installed. Fix: install e2fsprogs"]);
  });

  it("refuses one command sudo will not run, with the TrueNAS field to put it in", () => {
    const r = judgeHost(scaleFacts({ "out.kill": "sudo: a password is required", priv: ["badblocks /usr/sbin/badblocks 1", "smartctl /usr/sbin/smartctl 0", "blkid /usr/sbin/blkid 0", "wipefs /usr/sbin/wipefs 0", "kill /usr/bin/kill 1"] }), "truenas_admin");
    expect(r.ok).toBe(false);
    expect(problemText(r.lines)).toEqual([
      "✗ kill: /usr/bin/kill does not run via sudo -n (sudo: a password is required). Fix: in the TrueNAS UI: Credentials > Users > truenas_admin > Edit: add /usr/bin/kill to \"Allowed sudo commands with no password\"",
      "✗ Passwordless sudo: sudo -n refused 1 of Kiln's 5 commands. Fix: in the TrueNAS UI: Credentials > Users > truenas_admin > Edit > \"Allowed sudo commands with no password\": /usr/sbin/badblocks, /usr/sbin/smartctl, /usr/sbin/blkid, /usr/sbin/wipefs, /usr/bin/kill (or tick \"Allow all sudo commands with no password\")",
    ]);
  });

  it("refuses a non-root login without sudo mode", () => {
    const r = judgeHost(scaleFacts({ sudomode: "0" }), "truenas_admin");
    expect(r.ok).toBe(false);
    expect(byId(r.lines).rights).toBe("fail");
    expect(r.lines.find((l) => l.id === "rights")!.fix).toMatch(/^run the check with sudo: POST \/api\/v1\/hosts\/:id\/check \{"useSudo": true\}/);
  });

  it("warns, without refusing, about the boot pool, tmpfs, little space, MaxSessions and KillUserProcesses", () => {
    const boot = judgeHost(scaleFacts({ wd: "/home/truenas_admin/.kiln", wdwrite: "creatable /home/truenas_admin", wdmount: "/home/truenas_admin", wdfs: "zfs" }), "truenas_admin");
    expect(boot.ok).toBe(true);
    expect(problemText(boot.lines)).toEqual([
      "! Work dir survives reboot: /home/truenas_admin/.kiln is on the boot pool (zfs at /home/truenas_admin): it survives a reboot, but a TrueNAS update can replace it. Fix: set the host's work dir to a directory on a pool dataset that truenas_admin owns, e.g. /mnt/tank/kiln (Datasets > add dataset, then Permissions: owner truenas_admin)",
    ]);
    const worse = judgeHost(scaleFacts({ wdfs: "tmpfs", wdmount: "/tmp", wdfree: "2048", maxsessions: "4", killuser: "yes", linger: "yes" }), "truenas_admin");
    expect(worse.ok).toBe(true);
    expect(byId(worse.lines)).toMatchObject({ "workdir.fs": "warn", "workdir.free": "warn", sshd: "warn", sessions: "warn" });
    expect(worse.lines.find((l) => l.id === "sessions")!.detail).toBe("systemd-logind KillUserProcesses=yes, linger on: badblocks is killed when Kiln's SSH session ends");
    expect(worse.lines.find((l) => l.id === "sshd")!.fix).toBe("System > Services > SSH > Edit > Auxiliary Parameters: MaxSessions 10");
  });

  it("refuses an unwritable work dir", () => {
    const r = judgeHost(scaleFacts({ wd: "/var/empty/.kiln", wdwrite: "no /var/empty", wdmount: "/" }), "truenas_admin");
    expect(r.ok).toBe(false);
    expect(problemText(r.lines)[0]).toMatch(/^✗ Work dir: \/var\/empty\/\.kiln is not writable by truenas_admin\. Fix: set the host's work dir to a directory on a pool dataset/);
  });

  it("says so when the script did not finish", () => {
    expect(judgeHost("KILN-CHECK os Linux 6.1\n", "root").lines).toEqual([
      expect.objectContaining({ id: "check", status: "fail" }),
    ]);
  });
});

describe("the check script and the login shells", () => {
  it.each(SHELLS)("runs the check as root the same under %s", (shell) => {
    const script = withPrivilege(buildCheckScript({ workDir: "/tmp/kiln-check-probe/x", sudo: "auto" }), false);
    const r = spawnSync(shell, ["-c", loginShellCommand(script)], { encoding: "utf8", timeout: 60_000 });
    const verdict = judgeHost(r.stdout, "root");
    expect(verdict.sudo).toBe(false);
    expect(byId(verdict.lines)).toMatchObject({ os: "ok", rights: "ok", "tool.badblocks": "ok", "tool.kill": "ok", workdir: "ok" });
  });

  it.each(SHELLS)("hands /bin/sh every byte of a script under %s", (shell) => {
    const script = `printf '%s|' "it's" 'a\\\\b' "\\$HOME" '$x' "t\tab" '"dq"' '!bang' '\\\\' 'end\\' "$(echo sub)" $((1 + 2)) '*' '{a,b}' '~'
${ROOT_FNS}
kiln_which kill && printf '%s' "$kiln_w"`;
    const want = spawnSync("/bin/sh", ["-c", script], { encoding: "utf8" }).stdout;
    expect(want).toContain("it's|a\\\\b|$HOME|$x|");
    expect(spawnSync(shell, ["-c", loginShellCommand(script)], { encoding: "utf8" }).stdout).toBe(want);
  });

  it("quotes the characters some shell reads inside single quotes outside of them", () => {
    expect(portableQuote("it's")).toBe(`'it'"'"'s'`);
    expect(portableQuote("a\\b")).toBe(`'a'"\\\\"'b'`);
    expect(portableQuote("")).toBe("''");
  });
});
