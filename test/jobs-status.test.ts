import { describe, expect, it } from "vitest";
import {
  JOB_STATUSES, JOB_TRANSITIONS, STAGE_STATUSES, STAGE_TRANSITIONS, canTransition, canTransitionStage, isTerminal,
} from "../src/jobs/status.js";
import { jobVerdict } from "../src/jobs/verdict.js";

describe("job status table", () => {
  for (const from of JOB_STATUSES) {
    for (const to of JOB_STATUSES) {
      const allowed = JOB_TRANSITIONS[from].includes(to);
      it(`${allowed ? "allows" : "refuses"} ${from} → ${to}`, () => {
        expect(canTransition(from, to)).toBe(allowed);
      });
    }
  }
  it("has no way out of a terminal status, so a terminal record is written once", () => {
    for (const s of JOB_STATUSES) if (isTerminal(s)) expect(JOB_TRANSITIONS[s]).toEqual([]);
  });
});

describe("stage status table", () => {
  for (const from of STAGE_STATUSES) {
    for (const to of STAGE_STATUSES) {
      const allowed = STAGE_TRANSITIONS[from].includes(to);
      it(`${allowed ? "allows" : "refuses"} stage ${from} → ${to}`, () => {
        expect(canTransitionStage(from, to)).toBe(allowed);
      });
    }
  }
});

describe("job verdict", () => {
  it("passes only when a stage passed and every other one passed or was skipped", () => {
    expect(jobVerdict(["passed", "skipped", "passed"])).toBe("passed");
    expect(jobVerdict(["skipped", "skipped"])).toBe("unknown");
    expect(jobVerdict([])).toBe("unknown");
  });
  it("lets any failed, unknown or cancelled stage decide", () => {
    expect(jobVerdict(["passed", "failed"])).toBe("failed");
    expect(jobVerdict(["passed", "unknown"])).toBe("unknown");
    expect(jobVerdict(["passed", "failed", "cancelled"])).toBe("cancelled");
  });
});
