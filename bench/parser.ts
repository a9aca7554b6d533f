// Scenario 3a: parser throughput over the raw stream of a 7-day pass, fed in 1 MiB chunks as the
// reader does (it reads at most 1 MiB of a job's log per poll).
import { feed, initialState, summary } from "../src/badblocks/progress.js";
import { syntheticLogBuffer } from "./synthetic-log.js";
import { spread } from "./stats.js";

export const SEVEN_DAYS = 7 * 24 * 3600;

export async function parser(o: { runs: number }): Promise<string> {
  const log = syntheticLogBuffer(SEVEN_DAYS);
  const chunk = 1 << 20;
  const rates: number[] = [];
  let end = "";
  for (let r = 0; r < o.runs; r++) {
    let state = initialState();
    const t0 = performance.now();
    for (let off = 0; off < log.length; off += chunk) state = feed(state, log.subarray(off, off + chunk)).state;
    const s = (performance.now() - t0) / 1000;
    rates.push(log.length / 1e6 / s);
    end = summary(state).terminal?.kind ?? "no terminal record";
  }
  console.log(`  parser: ${spread(rates, 1, " MB/s")}`);
  return [
    `## 3. Parser and memory`,
    ``,
    `### Parser throughput`,
    ``,
    `A ${(log.length / 1e6).toFixed(1)} MB raw badblocks stream (a 7-day pass, one status record per second, built from the records of`,
    `\`test/fixtures/badblocks/good-slow.stderr\`), fed to \`badblocks/progress.ts\` in 1 MiB chunks; the parser ended with: ${end}.`,
    ``,
    `| figure | median (min–max, n) |`,
    `| --- | --- |`,
    `| parser throughput | ${spread(rates, 1, " MB/s")} |`,
    ``,
    `badblocks writes ~90 bytes a second per drive (and the host-side squeezer keeps ~1 in 5 of them), so 60 drives need`,
    `~5 KB/s of parsing.`,
    ``,
  ].join("\n");
}
