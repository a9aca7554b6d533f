// Non-root login users on the test host, as TrueNAS SCALE ships its admin: a chosen login shell
// (zsh, fish…) and, optionally, a sudoers rule in /etc/sudoers.d that allows exactly the listed
// binaries with NOPASSWD. Names and sudoers files are unique per run; dispose() (or the cleanup
// registry) removes the rule, the user's processes, the user and its home; a user whose test
// process died without that is removed by the sweep (helpers/leftovers.ts), as the owner ledger says.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mustRun, registerCleanup, run } from "./cleanup.js";
import { forgetOwned, recordOwned } from "./tempdir.js";

export interface HostUser {
  readonly name: string;
  readonly home: string;
  readonly shell: string;
  /** The sudoers file, or null for a user without sudo rights. */
  readonly sudoersFile: string | null;
  dispose(): void;
}

export interface HostUserOptions {
  /** Absolute path of the login shell, e.g. /usr/bin/zsh. */
  shell: string;
  /** Absolute paths this user may run as root with `sudo -n`; omit for no sudo rights at all. */
  sudoCommands?: readonly string[];
}

/** Removes a test user, its sudoers rule, processes and home (also the sweep's way). */
export function removeHostUser(name: string): void {
  if (!/^kt[0-9a-f]{10}$/.test(name)) throw new Error(`not a test user name: ${name}`);
  rmSync(`/etc/sudoers.d/kiln-test-${name}`, { force: true });
  run("pkill", ["-KILL", "-u", name]);
  run("userdel", ["-r", "-f", name]);
  rmSync(`/home/${name}`, { recursive: true, force: true });
  forgetOwned("user", name);
}

export function createHostUser(opts: HostUserOptions): HostUser {
  if (!existsSync(opts.shell)) throw new Error(`login shell ${opts.shell} is not installed (scripts/ensure-test-tools.mjs)`);
  const name = `kt${randomBytes(5).toString("hex")}`;
  const home = `/home/${name}`;
  const sudoersFile = opts.sudoCommands ? `/etc/sudoers.d/kiln-test-${name}` : null;
  const remove = (): void => removeHostUser(name);
  recordOwned("user", name);
  const unregister = registerCleanup(`test user ${name}`, remove);
  try {
    mustRun("useradd", ["-m", "-d", home, "-s", opts.shell, "-U", name]);
    // sshd (UsePAM no) refuses a locked account ("!"); "*" has no password but is not locked.
    mustRun("usermod", ["-p", "*", name]);
    if (sudoersFile && opts.sudoCommands) {
      for (const c of opts.sudoCommands) if (!/^\/[A-Za-z0-9._\/-]+$/.test(c)) throw new Error(`unsafe sudo command ${c}`);
      const tmp = `${sudoersFile}.tmp`; // sudo ignores files with a dot in their name until the rename
      writeFileSync(tmp, `${name} ALL=(root) NOPASSWD: ${opts.sudoCommands.join(", ")}\n`, { mode: 0o440 });
      chmodSync(tmp, 0o440);
      mustRun("visudo", ["-c", "-q", "-f", tmp]);
      renameSync(tmp, sudoersFile);
    }
  } catch (err) {
    unregister();
    remove();
    throw err;
  }
  return {
    name, home, shell: opts.shell, sudoersFile,
    dispose() {
      unregister();
      remove();
    },
  };
}
