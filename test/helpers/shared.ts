// ../shared (beside this repository: real smartctl captures and other material read in place, never
// copied in). Locally a test may skip what needs it when it is missing; under CI=true a missing
// ../shared is an error that says what to do, so that CI never passes by skipping.
import { existsSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../../src/paths.js";

export const SHARED_ROOT = path.resolve(ROOT, "../shared");

const inCi = (): boolean => ["true", "1"].includes((process.env.CI ?? "").toLowerCase());

/** The absolute path of `rel` under ../shared, or null when it is missing outside CI; throws under CI. */
export function sharedPath(rel: string): string | null {
  const p = path.join(SHARED_ROOT, rel);
  if (existsSync(p)) return p;
  if (inCi()) {
    throw new Error(
      `${p} is missing, and CI=true: tests that read ../shared/${rel} do not skip in CI. ` +
        `Check out the shared repository beside this one (${SHARED_ROOT}), as CI does.`,
    );
  }
  return null;
}
