// vitest globalSetup: runs once in the main process before the suite, and its returned function once
// after it (pass or fail). Before: the sweep of what dead earlier runs left (helpers/leftovers.ts).
// After: this run's own leftovers (its workers are gone by then). Resources of another live run are
// left alone.
import { cleanupAll } from "../helpers/cleanup.js";
import { removeLeftovers } from "../helpers/leftovers.js";

function report(when: string, lines: string[]): void {
  if (lines.length > 0) console.warn(`[kiln test host] ${when}:\n  ${lines.join("\n  ")}`);
}

export default async function setup(): Promise<() => Promise<void>> {
  report("removed leftovers of an earlier run", removeLeftovers());
  return async () => {
    report("cleanup failures", cleanupAll());
    report("removed what the tests left behind", removeLeftovers({ teardownOf: process.pid }));
  };
}
