// Small statistics and machine facts for the benchmark report.
import { cpus, totalmem, release } from "node:os";
import { readFileSync } from "node:fs";

export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i]!;
}

export const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** "median (min–max, n=N)" with `digits` decimals. */
export function spread(xs: number[], digits = 2, unit = ""): string {
  if (xs.length === 0) return "n/a";
  const f = (n: number) => n.toFixed(digits) + unit;
  return `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))}, n=${xs.length})`;
}

export function machine(): string {
  const model = cpus()[0]?.model ?? "?";
  let kernel = release();
  try {
    kernel = readFileSync("/proc/version", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    /* keep os.release() */
  }
  return [
    `- CPU: ${cpus().length} cores (${model})`,
    `- Memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- Kernel: ${kernel}`,
    `- Node: ${process.version}`,
  ].join("\n");
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
