#!/usr/bin/env node
// Installs the Debian packages the test suite needs (the real test host: sshd, loop devices, nbdkit,
// badblocks, smartctl, chromium, ...) when their programs are missing. Run by `npm test`.
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";

/** program → Debian package that ships it */
const TOOLS = [
  ["sshd", "openssh-server"],
  ["ssh-keygen", "openssh-client"],
  ["smartctl", "smartmontools"],
  ["nbdkit", "nbdkit"],
  ["nbdfuse", "libnbd-bin"],
  ["fusermount3", "fuse3"],
  ["chromium", "chromium"],
  ["badblocks", "e2fsprogs"],
  ["losetup", "mount"],
  ["mkfs.ext4", "e2fsprogs"],
  ["ip", "iproute2"],
  ["sqlite3", "sqlite3"],
  ["pgrep", "procps"],
  // Login shells and sudo for the non-root admin of test/sudo-host.test.ts (TrueNAS SCALE's zsh + sudo)
  ["zsh", "zsh"],
  ["fish", "fish"],
  ["dash", "dash"],
  ["sudo", "sudo"],
  ["visudo", "sudo"],
  ["useradd", "passwd"],
];

const SEARCH = [...(process.env.PATH ?? "").split(":"), "/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"];

function found(program) {
  for (const dir of SEARCH) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, program), constants.X_OK);
      return true;
    } catch {
      // not in this dir
    }
  }
  return false;
}

function sh(cmd, args) {
  console.log(`[ensure-test-tools] ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (r.status !== 0) {
    console.error(`[ensure-test-tools] ${cmd} failed (${r.error?.message ?? `exit ${r.status}`})`);
    process.exit(1);
  }
}

const missing = TOOLS.filter(([program]) => !found(program));
if (missing.length === 0) {
  console.log("[ensure-test-tools] all test tools present");
  process.exit(0);
}
const packages = [...new Set(missing.map(([, pkg]) => pkg))];
console.log(`[ensure-test-tools] missing: ${missing.map(([p, pkg]) => `${p} (${pkg})`).join(", ")}`);
if (process.getuid?.() !== 0) {
  console.error(
    `[ensure-test-tools] not root: cannot install them. Run as root, or install first:\n` +
      `  apt-get install -y --no-install-recommends ${packages.join(" ")}\n` +
      `(the suite also needs root for sshd, loop devices and mounts)`,
  );
  process.exit(1);
}
sh("apt-get", ["update"]);
sh("apt-get", ["install", "-y", "--no-install-recommends", ...packages]);
const still = TOOLS.filter(([program]) => !found(program));
if (still.length > 0) {
  console.error(`[ensure-test-tools] still missing after install: ${still.map(([p]) => p).join(", ")}`);
  process.exit(1);
}
console.log(`[ensure-test-tools] installed ${packages.join(" ")}`);
