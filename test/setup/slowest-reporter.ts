// A vitest reporter that prints, at the end of a run, the ten test files that took longest (wall
// time from the file's start to its end, which includes its hooks: its sshd, disks, Kiln), and the
// run's own wall time with the machine's load average. Files run in parallel, so the sum is larger
// than the wall time: the list says where to look first when the suite gets slow.
import { availableParallelism, loadavg } from "node:os";
import type { Reporter, TestModule } from "vitest/node";

const SHOW = 10;

export default class SlowestFiles implements Reporter {
  private started = new Map<string, number>();
  private ended = new Map<string, { ms: number; state: string }>();
  private runStart = Date.now();

  onTestRunStart(): void {
    this.runStart = Date.now();
  }

  onTestModuleStart(m: TestModule): void {
    this.started.set(m.moduleId, Date.now());
  }

  onTestModuleEnd(m: TestModule): void {
    const start = this.started.get(m.moduleId) ?? this.runStart;
    this.ended.set(m.relativeModuleId, { ms: Date.now() - start, state: m.state() });
  }

  onTestRunEnd(): void {
    const rows = [...this.ended.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, SHOW);
    if (rows.length === 0) return;
    const width = Math.max(...rows.map(([file]) => file.length));
    const wall = (Date.now() - this.runStart) / 1000;
    const load = loadavg().map((l) => l.toFixed(2)).join(" ");
    const lines = rows.map(([file, r]) => `  ${file.padEnd(width)}  ${(r.ms / 1000).toFixed(1).padStart(6)} s${r.state === "failed" ? "  (failed)" : ""}`);
    process.stdout.write(`\nThe ${rows.length} slowest test files (wall time of each, files run in parallel):\n${lines.join("\n")}\n` +
      `Suite wall time ${wall.toFixed(0)} s for ${this.ended.size} files; load average now ${load} on ${availableParallelism()} cores\n`);
  }
}

