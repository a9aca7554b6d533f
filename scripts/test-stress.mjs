#!/usr/bin/env node
// `npm run test:stress`: the whole suite 3 times back to back while a CPU hog keeps every core busy
// (one spinning process per core, at the tests' own priority): what a loaded CI machine does to
// the tests. Prints each run's failures and a summary; exits non-zero if any run failed. Each
// run's full output is kept in test-output/stress-run-<n>.log. Not part of `npm test`.
//   node scripts/test-stress.mjs [runs]      (default 3)
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync, createWriteStream } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = path.join(ROOT, "test-output");
const RUNS = Number(process.argv[2] ?? 3);
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");

mkdirSync(OUT, { recursive: true });

// The hog: one busy loop per core, ended by pid when this script ends, however it ends.
const hog = Array.from({ length: availableParallelism() }, () =>
  spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }),
);
const stopHog = () => {
  for (const h of hog) if (h.exitCode === null && h.signalCode === null) h.kill("SIGKILL");
};
process.on("exit", stopHog);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(sig, () => {
    stopHog();
    process.kill(process.pid, sig);
  });
}
console.log(`[stress] CPU hog: ${hog.length} busy processes (pids ${hog.map((h) => h.pid).join(", ")}); load average ${load()}`);

function runSuite(n) {
  const json = path.join(OUT, `stress-run-${n}.json`);
  const logFile = path.join(OUT, `stress-run-${n}.log`);
  const log = createWriteStream(logFile);
  const started = Date.now();
  const loadBefore = load();
  return new Promise((resolve) => {
    const child = spawn(path.join(ROOT, "node_modules", ".bin", "vitest"), [
      "run", "--reporter=default", "--reporter=./test/setup/slowest-reporter.ts", "--reporter=json", `--outputFile.json=${json}`,
    ], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on("close", (code) => {
      log.end();
      const seconds = Math.round((Date.now() - started) / 1000);
      let failures = [];
      let total = 0;
      try {
        const report = JSON.parse(readFileSync(json, "utf8"));
        total = report.numTotalTests;
        for (const file of report.testResults) {
          const rel = path.relative(ROOT, file.name);
          if (file.status === "failed" && file.assertionResults.every((a) => a.status !== "failed")) {
            failures.push(`${rel}: ${String(file.message).split("\n")[0]}`);
          }
          for (const a of file.assertionResults) {
            if (a.status === "failed") failures.push(`${rel} > ${a.fullName}: ${String(a.failureMessages?.[0] ?? "").split("\n")[0]}`);
          }
        }
      } catch (err) {
        failures = [`no JSON report (${err.message}); vitest exited ${code}`];
      }
      if (code !== 0 && failures.length === 0) failures.push(`vitest exited ${code}; see ${logFile}`);
      resolve({ n, seconds, code, total, failures, loadBefore, loadAfter: load() });
    });
  });
}

const results = [];
for (let n = 1; n <= RUNS; n++) {
  console.log(`[stress] run ${n}/${RUNS} started (load average ${load()})`);
  const r = await runSuite(n);
  results.push(r);
  console.log(`[stress] run ${n}/${RUNS}: ${r.failures.length} failed of ${r.total} tests in ${r.seconds} s (load average before ${r.loadBefore}, after ${r.loadAfter})`);
  for (const f of r.failures) console.log(`  FAILED ${f}`);
}
stopHog();

const failed = results.reduce((sum, r) => sum + r.failures.length, 0);
const summary = [
  `[stress] ${RUNS} runs under a ${hog.length}-process CPU hog: ${failed} failures in all`,
  ...results.map((r) => `  run ${r.n}: ${r.failures.length} failed / ${r.total} tests, ${r.seconds} s, load ${r.loadBefore} → ${r.loadAfter}`),
].join("\n");
console.log(summary);
writeFileSync(path.join(OUT, "stress-summary.txt"), `${new Date().toISOString()}\n${summary}\n${results.flatMap((r) => r.failures.map((f) => `  run ${r.n} FAILED ${f}`)).join("\n")}\n`);
process.exit(failed === 0 ? 0 : 1);
