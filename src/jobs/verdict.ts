// The job's verdict from its stages' verdicts, pure.
import type { StageStatus } from "../status.js";

/**
 * The job's verdict from its stage rows: passed only when every stage ended and every verdict held
 * (a stage still pending or running makes it unknown).
 */
export function jobVerdict(results: readonly StageStatus[]): "passed" | "failed" | "cancelled" | "unknown" {
  if (results.includes("cancelled")) return "cancelled";
  if (results.includes("failed")) return "failed";
  if (results.includes("unknown")) return "unknown";
  return results.includes("passed") && results.every((r) => r === "passed" || r === "skipped") ? "passed" : "unknown";
}
