// Serves an nbdkit export as a regular file: `nbdfuse FILE --command nbdkit -s ...` mounts the NBD
// export over FILE (a "naked" FUSE mount) with nbdkit as its subprocess on stdin/stdout.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { run } from "./cleanup.js";
import { isRunning, sleepSync, stopProcess } from "./processes.js";

export function isMountpoint(target: string): boolean {
  return readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .some((line) => line.split(" ")[1] === target);
}

/** Unmounts a FUSE mount, retrying while it is busy, lazily as a last resort. */
export function unmountFuse(target: string): void {
  for (let attempt = 0; attempt < 10 && isMountpoint(target); attempt++) {
    if (run("fusermount3", ["-u", target]).status === 0) return;
    sleepSync(100 * (attempt + 1));
  }
  if (isMountpoint(target)) run("umount", ["-l", target]);
}

export function serveThroughFuse(dir: string, nbdkitArgs: string[], sizeBytes: number): { file: string; stop(): void } {
  const file = path.join(dir, "nbd");
  const pidFile = path.join(dir, "nbdfuse.pid");
  const logFile = path.join(dir, "nbdfuse.log");
  closeSync(openSync(file, "w"));
  const log = openSync(logFile, "a");
  const child = spawn("nbdfuse", ["-P", pidFile, file, "--command", "nbdkit", "-s", "--exit-with-parent", ...nbdkitArgs], {
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  child.unref();
  const pid = child.pid ?? -1;
  const stop = (): void => {
    unmountFuse(file);
    stopProcess(pid);
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (existsSync(pidFile) && isMountpoint(file) && statSync(file).size === sizeBytes) return { file, stop };
    if (!isRunning(pid) || Date.now() > deadline) {
      stop();
      const why = isRunning(pid) ? "timed out" : "exited";
      throw new Error(`nbdfuse ${why} before serving ${file}: ${readFileSync(logFile, "utf8")}`);
    }
    sleepSync(25);
  }
}
