// Fixture program for test/leftovers.test.ts: what the issue-14 run left behind. It starts a real
// `badblocks -w` on a loop device (in its own session, as Kiln's launcher does), stops it with
// SIGSTOP, deletes the loop device's dir (the backing file is now "(deleted)"), starts a stopped
// `sleep` whose cwd is another of its dirs, adds a test login user, prints what it made, then dies
// by SIGKILL: no cleanup of its own can run.
import { spawn } from "node:child_process";
import { readdirSync, readlinkSync, rmSync } from "node:fs";
import path from "node:path";
import { createLoopDevice } from "./disks.js";
import { createHostUser } from "./host-users.js";
import { sleepSync } from "./processes.js";
import { makeTempDir } from "./tempdir.js";

const loop = createLoopDevice({ sizeMiB: 64 });
const bb = spawn("badblocks", ["-w", "-b", "4096", "-c", "16", loop.device], { detached: true, stdio: "ignore" });
const holds = (pid: number, target: string): boolean => {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`) === target);
  } catch {
    return false;
  }
};
for (let i = 0; i < 500 && !holds(bb.pid!, loop.device); i++) sleepSync(10);
process.kill(bb.pid!, "SIGSTOP");
rmSync(path.dirname(loop.file), { recursive: true, force: true });

const cwdDir = makeTempDir("stopped-cwd");
const sleeper = spawn("sleep", ["600"], { cwd: cwdDir, detached: true, stdio: "ignore" });
process.kill(sleeper.pid!, "SIGSTOP");

const user = createHostUser({ shell: "/bin/sh" });

process.stdout.write(`${JSON.stringify({ badblocks: bb.pid, device: loop.device, file: loop.file, sleeper: sleeper.pid, cwdDir, user: user.name })}\n`, () => {
  process.kill(process.pid, "SIGKILL");
});
