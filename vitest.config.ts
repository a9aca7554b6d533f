import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import LongestFirst from "./test/setup/sequencer.js";

// Test files run in parallel, each in its own process with its own test host (sshd on a free port,
// its own loop devices and temp dirs: see test/helpers/testhost.ts), so a new file is safe beside
// the others by default. Most of a file's time is spent waiting on rate-limited disks and real
// processes, not on the CPU, hence more workers than cores. KILN_TEST_WORKERS overrides.
const workers = Number(process.env.KILN_TEST_WORKERS) || Math.max(2, availableParallelism() * 2);

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    fileParallelism: true,
    maxWorkers: workers,
    // Deadlines are generous on purpose: the suite must pass on a loaded 2-core machine.
    testTimeout: 300_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    globalSetup: ["test/setup/global.ts"],
    reporters: ["default", "./test/setup/slowest-reporter.ts"],
    // The longest files start first (test/setup/sequencer.ts), so that they do not end the run alone.
    sequence: { sequencer: LongestFirst },
  },
});
