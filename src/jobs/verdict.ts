// The job's verdict from its stages' verdicts, pure.
import type { StageResult } from "../stages/types.js";

/** The job's verdict from its stages: passed only when every stage ended and every verdict held. */
export function jobVerdict(results: StageResult["status"][]): "passed" | "failed" | "cancelled" | "unknown" {
  if (results.includes("cancelled")) return "cancelled";
  if (results.includes("failed")) return "failed";
  if (results.includes("unknown")) return "unknown";
  return results.includes("passed") && results.every((r) => r === "passed" || r === "skipped") ? "passed" : "unknown";
}
