// Builds dist/ (what `npm start` runs) for the tests that start Kiln as a child process
// (helpers/kiln-process.ts), instead of each start compiling src/ through tsx: once per change of
// the sources, on the first such start (files that never start one never pay for it). Parallel
// workers and runs in one checkout build one at a time (flock); the others find it up to date.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../../src/paths.js";

const STAMP = path.join(ROOT, "dist", ".built-at");
const INPUTS = ["src", "migrations", "tsconfig.json", "tsconfig.build.json", "package-lock.json"];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(p).reduce((max, name) => Math.max(max, newestMtime(path.join(p, name))), st.mtimeMs);
}

const upToDate = (): boolean =>
  existsSync(STAMP) && existsSync(path.join(ROOT, "dist", "main.js")) &&
  statSync(STAMP).mtimeMs >= Math.max(...INPUTS.map((i) => newestMtime(path.join(ROOT, i))));

/** Returns a line saying what it did, or throws with tsc's output. */
export function ensureBuilt(): string {
  if (upToDate()) return "dist/ is up to date";
  return lockedBuild();
}

function lockedBuild(): string {
  const startedAt = new Date();
  const tsc = path.join(ROOT, "node_modules", ".bin", "tsc");
  // Under the lock, build only if nobody did while this worker waited for it.
  const script = `[ -f dist/.built-at ] && [ -z "$(find ${INPUTS.join(" ")} -newer dist/.built-at -print -quit 2>/dev/null)" ] || exec "$0" -p tsconfig.build.json`;
  const r = spawnSync("flock", [path.join(ROOT, "node_modules", ".kiln-build.lock"), "sh", "-c", script, tsc], {
    cwd: ROOT, encoding: "utf8", timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`building dist/ for the tests failed:\n${r.stdout}${r.stderr}${r.error?.message ?? ""}`);
  writeFileSync(STAMP, `${startedAt.toISOString()}\n`);
  utimesSync(STAMP, startedAt, startedAt); // a source saved during the build makes the next run build again
  return `built dist/ in ${((Date.now() - startedAt.getTime()) / 1000).toFixed(1)} s`;
}
