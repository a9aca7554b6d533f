// `npm run bench [-- SCENARIO...] [--quick]`: builds its own test host (sshd on loopback, loop and
// nbdkit disks) like the test suite, runs the scenarios with real badblocks and writes BENCHMARKS.md
// (all scenarios) or test-output/bench-partial.md (a selection; with --update the selection's
// sections also replace theirs in BENCHMARKS.md). Scenarios: overhead, drives, parser, memory, restart;
// only when named: history (100,000 finished jobs in a database), fleet10 (10 hosts x 60 replayed jobs) and
// dashboard (600 drives in a database, the dashboard in Chromium).
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { ROOT } from "../src/paths.js";
import { cleanupAll } from "../test/helpers/cleanup.js";
import { machine } from "./stats.js";
import { overhead } from "./overhead.js";
import { parser } from "./parser.js";
import { memory } from "./memory.js";
import { fleet } from "./fleet.js";
import { NOTES } from "./notes.js";
import { history } from "./history.js";
import { fleet10 } from "./fleet10.js";
import { dashboard } from "./dashboard.js";

const ALL = ["parser", "memory", "overhead", "drives", "restart"] as const;
/** Run only when named: they take the machine for minutes (fleet10) or fill gigabytes (history). */
const EXTRA = ["history", "fleet10", "dashboard"] as const;
type Scenario = (typeof ALL)[number] | (typeof EXTRA)[number];

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const update = args.includes("--update");
const named = args.filter((a) => !a.startsWith("--"));
for (const a of named) if (![...ALL, ...EXTRA].includes(a as Scenario)) throw new Error(`unknown scenario ${a}; known: ${[...ALL, ...EXTRA].join(", ")}`);
const selected = new Set<Scenario>(named.length ? (named as Scenario[]) : ALL);

const P = quick
  ? { pairs: 5, overheadMiB: 1024, parserRuns: 3, drives: 60, sizeMiB: 12, rate: 512 * 1024, window: 75, restarts: 2 }
  : { pairs: 7, overheadMiB: 1024, parserRuns: 7, drives: 60, sizeMiB: 24, rate: 512 * 1024, window: 240, restarts: 3 };

async function main(): Promise<void> {
  const started = new Date();
  const load = loadavg().map((l) => l.toFixed(2)).join(", ");
  const sections: string[] = [];
  const step = async (name: string, f: () => Promise<string | string[]>) => {
    console.log(`bench: ${name}`);
    const t = Date.now();
    const before = loadavg()[0]!.toFixed(2);
    const out = await f();
    const list = Array.isArray(out) ? out : [out];
    list[list.length - 1] += `\n_Load average (1 min) at the start / end of this step: ${before} / ${loadavg()[0]!.toFixed(2)}; measured ${new Date().toISOString()}._\n`;
    sections.push(...list);
    console.log(`bench: ${name} done in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  };
  if (selected.has("history")) await step("history", () => history({ jobs: quick ? 10_000 : 100_000, rounds: quick ? 20 : 40, reuseFill: args.includes("--reuse-fill") }));
  if (selected.has("dashboard")) await step("dashboard", () => dashboard({ drives: 600, jobs: quick ? 2_000 : 10_000, rounds: quick ? 3 : 7 }));
  if (selected.has("fleet10")) await step("fleet10", () => fleet10({ hosts: 10, perHost: 60, windowSeconds: quick ? 60 : 90, browserSeconds: 30 }));
  if (selected.has("parser")) await step("parser", () => parser({ runs: P.parserRuns }));
  if (selected.has("memory")) await step("memory", () => memory());
  if (selected.has("overhead")) await step("overhead", () => overhead({ pairs: P.pairs, sizeMiB: P.overheadMiB }));
  if (selected.has("drives") || selected.has("restart")) {
    await step("fleet", () => fleet({
      drives: P.drives, sizeMiB: P.sizeMiB, rateBytesPerSec: P.rate, windowSeconds: P.window,
      restarts: selected.has("restart") ? P.restarts : 0, measure: selected.has("drives"),
    }));
  }
  const minutes = ((Date.now() - started.getTime()) / 60_000).toFixed(1);
  const doc = [
    `# Kiln benchmarks`,
    ``,
    `Written by \`npm run bench${quick ? " -- --quick" : ""}\` on ${started.toISOString()} (${minutes} min${quick ? ", **quick mode**: fewer repetitions and a shorter 60-drive window" : ""}).`,
    `Reproduce: \`npm run bench\` (full) or \`npm run bench -- --quick\`; one scenario: \`npm run bench -- overhead\``,
    `(also \`drives\`, \`parser\`, \`memory\`, \`restart\`). Needs root, sshd, badblocks, losetup, nbdkit, nbdfuse (as the test suite).`,
    `Kiln runs from the build (\`node dist/main.js\`) as a child process; the host is Debian's sshd on 127.0.0.1.`,
    ``,
    `## Machine`,
    ``,
    machine(),
    `- Load average when the bench started: ${load} (the machine may be shared with other work)`,
    ``,
    ...sections,
    NOTES,
  ].join("\n");
  const all = ALL.every((s) => selected.has(s));
  const file = all ? path.join(ROOT, "BENCHMARKS.md") : path.join(ROOT, "test-output", "bench-partial.md");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${doc}\n`);
  console.log(`bench: wrote ${file}`);
  const report = path.join(ROOT, "BENCHMARKS.md");
  if (!all && update && existsSync(report)) {
    writeFileSync(report, replaceSections(readFileSync(report, "utf8"), sections));
    console.log(`bench: updated ${report} with the re-run sections`);
  }
}

/** Replaces each `## N.` section of `doc` (up to the next `## `) by the re-run section with the same number. */
function replaceSections(doc: string, fresh: string[]): string {
  const merged: string[] = [];
  for (const s of fresh) {
    if (/^## \d+\./.test(s) || merged.length === 0) merged.push(s);
    else merged[merged.length - 1] += `\n${s}`;
  }
  let out = doc;
  for (const section of merged) {
    const num = /^## (\d+)\./.exec(section)?.[1];
    if (!num) continue;
    const start = out.search(new RegExp(`^## ${num}\\.`, "m"));
    if (start < 0) continue;
    const next = out.slice(start + 3).search(/^## /m); // the next section, or the closing notes
    const end = next < 0 ? out.length : start + 3 + next;
    out = `${out.slice(0, start)}${section.trimEnd()}\n\n_(re-run with \`npm run bench -- ${named.join(" ")} --update\`${quick ? " --quick" : ""})_\n\n${out.slice(end)}`;
  }
  return out;
}

main()
  .then(() => {
    const left = cleanupAll();
    if (left.length) console.error("cleanup failures:", left);
    process.exit(0);
  })
  .catch((err) => {
    console.error(err);
    cleanupAll();
    process.exit(1);
  });
