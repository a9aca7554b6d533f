// One registry of everything a test created on this machine (sshd, loop devices, mounts, nbdkit).
// Cleanups are synchronous so they can also run from process "exit" and signal handlers.
import { spawnSync } from "node:child_process";

type Cleanup = () => void;

const registry = new Map<number, { label: string; fn: Cleanup }>();
let nextId = 1;
let handlersInstalled = false;

/** Registers a cleanup; returns a function that unregisters it (call it after a normal teardown). */
export function registerCleanup(label: string, fn: Cleanup): () => void {
  installHandlers();
  const id = nextId++;
  registry.set(id, { label, fn });
  return () => registry.delete(id);
}

/** Runs every registered cleanup, newest first. Never throws; returns what failed. */
export function cleanupAll(): string[] {
  const entries = [...registry.entries()].reverse();
  registry.clear();
  const failures: string[] = [];
  for (const [, { label, fn }] of entries) {
    try {
      fn();
    } catch (err) {
      failures.push(`${label}: ${(err as Error).message}`);
    }
  }
  return failures;
}

export function pendingCleanups(): string[] {
  return [...registry.values()].map((entry) => entry.label);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once("exit", () => {
    cleanupAll();
  });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      cleanupAll();
      process.kill(process.pid, sig); // the handler was once: this signal now takes its default action
    });
  }
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program synchronously (no shell); never throws. */
export function run(cmd: string, args: string[], timeoutMs = 60_000): RunResult {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: timeoutMs });
  const error = r.error ? `${r.error.message}\n` : "";
  return { status: r.status, stdout: r.stdout ?? "", stderr: `${error}${r.stderr ?? ""}` };
}

/** Runs a program synchronously and throws with its stderr when it fails. */
export function mustRun(cmd: string, args: string[], timeoutMs = 60_000): string {
  const r = run(cmd, args, timeoutMs);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr.trim()}`);
  return r.stdout;
}
