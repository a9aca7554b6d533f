import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import {
  ACTIVE_JOB_STATUSES, FAILING_STAGE_STATUSES, JOB_STATUSES, JOB_TRANSITIONS, OPEN_STAGE_STATUSES, STAGE_STATUSES, STAGE_TRANSITIONS,
  STARTED_JOB_STATUSES, TERMINAL_JOB_STATUSES, canTransition, canTransitionStage, isActive, isTerminal, sqlList,
} from "../src/status.js";
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

describe("the status lists every module uses", () => {
  it("splits the job statuses into active and terminal, and terminal is exactly where the table has no way out", () => {
    expect([...ACTIVE_JOB_STATUSES, ...TERMINAL_JOB_STATUSES].sort()).toEqual([...JOB_STATUSES].sort());
    for (const s of JOB_STATUSES) {
      expect(isTerminal(s), s).toBe(JOB_TRANSITIONS[s].length === 0);
      expect(isActive(s), s).toBe(!isTerminal(s));
    }
    expect(isTerminal("nonsense")).toBe(false);
    expect(isActive("nonsense")).toBe(false);
  });

  it("calls started the active statuses a job reaches once it left the queue", () => {
    const leftQueue = new Set(JOB_TRANSITIONS.queued.filter((s) => !isTerminal(s)).flatMap((s) => [s, ...JOB_TRANSITIONS[s]]));
    expect([...STARTED_JOB_STATUSES].sort()).toEqual(ACTIVE_JOB_STATUSES.filter((s) => leftQueue.has(s)).sort());
  });

  it("calls open the stage statuses with a way out, and failing the ended ones that keep a job from passing", () => {
    expect([...OPEN_STAGE_STATUSES].sort()).toEqual(STAGE_STATUSES.filter((s) => STAGE_TRANSITIONS[s].length > 0).sort());
    const ended = STAGE_STATUSES.filter((s) => STAGE_TRANSITIONS[s].length === 0);
    expect([...FAILING_STAGE_STATUSES].sort()).toEqual(ended.filter((s) => jobVerdict(["passed", s]) !== "passed").sort());
  });

  it("builds an SQL IN list that selects exactly the listed statuses", () => {
    const db = new Database(":memory:");
    db.exec("CREATE TABLE jobs (id INTEGER PRIMARY KEY, status TEXT)");
    const insert = db.prepare("INSERT INTO jobs (status) VALUES (?)");
    for (const s of JOB_STATUSES) insert.run(s);
    for (const list of [ACTIVE_JOB_STATUSES, STARTED_JOB_STATUSES, TERMINAL_JOB_STATUSES]) {
      const found = db.prepare(`SELECT status FROM jobs WHERE status IN (${sqlList(list)}) ORDER BY id`).pluck().all();
      expect(found).toEqual(JOB_STATUSES.filter((s) => list.includes(s)));
    }
    db.close();
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
