// The temperature guard's decision: pause at or above the limit, resume at or below the resume
// point, nothing in between (hysteresis).
import { describe, expect, it } from "vitest";
import { DEFAULT_GUARD_LIMITS, guardLimitsFrom, nextGuardState, pauseReason } from "../src/stage-kit/temperature-guard.js";

describe("nextGuardState", () => {
  const rows: [string, "running" | "paused", number | null, "running" | "paused", "pause" | "resume" | null][] = [
    ["keeps running below the limit", "running", 54, "running", null],
    ["pauses at exactly the limit", "running", 55, "paused", "pause"],
    ["pauses above the limit", "running", 61, "paused", "pause"],
    ["stays paused between resume point and limit", "paused", 50, "paused", null],
    ["stays paused just above the resume point", "paused", 49, "paused", null],
    ["resumes at exactly the resume point", "paused", 48, "running", "resume"],
    ["resumes below the resume point", "paused", 30, "running", "resume"],
    ["keeps running between resume point and limit", "running", 50, "running", null],
    ["changes nothing when the temperature is unknown (running)", "running", null, "running", null],
    ["changes nothing when the temperature is unknown (paused)", "paused", null, "paused", null],
  ];
  it.each(rows)("%s", (_name, from, temp, to, action) => {
    expect(nextGuardState(from, temp, DEFAULT_GUARD_LIMITS)).toEqual({ state: to, action });
  });

  it("walks a heating and cooling drive through one pause and one resume", () => {
    let state: "running" | "paused" = "running";
    const actions: string[] = [];
    for (const t of [40, 50, 54, 56, 57, 52, 49, 48, 47, 53, 54]) {
      const d = nextGuardState(state, t);
      state = d.state;
      if (d.action) actions.push(`${d.action}@${t}`);
    }
    expect(actions).toEqual(["pause@56", "resume@48"]);
  });
});

describe("guardLimitsFrom", () => {
  it("defaults to 55 °C and 48 °C", () => {
    expect(guardLimitsFrom({})).toEqual({ limitC: 55, resumeC: 48 });
  });

  it("takes tempLimitC and tempResumeC from the job options", () => {
    expect(guardLimitsFrom({ tempLimitC: 60, tempResumeC: 50 })).toEqual({ limitC: 60, resumeC: 50 });
  });

  it("keeps the resume point below a lowered limit", () => {
    expect(guardLimitsFrom({ tempLimitC: 45 })).toEqual({ limitC: 45, resumeC: 44 });
    expect(guardLimitsFrom({ tempLimitC: 50, tempResumeC: 52 })).toEqual({ limitC: 50, resumeC: 49 });
  });

  it("says why a job is paused", () => {
    expect(pauseReason(56, DEFAULT_GUARD_LIMITS)).toBe("drive at 56 °C, at or above the 55 °C limit; continues at 48 °C or below");
  });
});
