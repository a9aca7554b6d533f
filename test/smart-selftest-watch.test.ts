// Following a self-test from successive readings: finished by the log entry, not by a timer.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseSmartctl } from "../src/smart/parse.js";
import { newLogEntries, newWatch, observeSelfTest } from "../src/smart/selftest-watch.js";
import type { SelfTestEntry, SmartSnapshot } from "../src/smart/model.js";
import { pollMsFor } from "../src/stages/smart-selftest.js";

const base = () => JSON.parse(readFileSync(new URL("./fixtures/smart/ata-healthy-documented-schema.json", import.meta.url), "utf8"));

function reading(mut: (j: any) => void): SmartSnapshot {
  const j = base();
  mut(j);
  const r = parseSmartctl(j);
  if (!r.ok) throw new Error(r.reason);
  return r.snapshot;
}

const running = (remaining: number) =>
  reading((j) => (j.ata_smart_data.self_test.status = { value: 0xf0 + remaining / 10, string: `in progress, ${remaining}% remaining`, remaining_percent: remaining }));
const logged = (status: { value: number; string: string }, type = { value: 1, string: "Short offline" }) =>
  reading((j) => j.ata_smart_self_test_log.standard.table.unshift({ type, status, lifetime_hours: 1 }));

const entry = (text: string, hours: number): SelfTestEntry => ({ kind: "short", result: "passed", text, hours });

describe("newLogEntries", () => {
  it("finds entries added at the head of a growing log", () => {
    const a = entry("a", 1), b = entry("b", 2), n = entry("n", 3);
    expect(newLogEntries([b, a], [n, b, a])).toEqual([n]);
    expect(newLogEntries([], [n])).toEqual([n]);
    expect(newLogEntries([b, a], [b, a])).toEqual([]);
  });

  it("finds the new entry in a full log that dropped its oldest one", () => {
    const full = Array.from({ length: 21 }, (_, i) => entry(`t${i}`, 100 - i));
    const n = entry("new", 101);
    expect(newLogEntries(full, [n, ...full.slice(0, 20)])).toEqual([n]);
  });
});

describe("observeSelfTest", () => {
  const before = reading(() => {});
  const start = () => newWatch("short", 0, before.selfTestLog);

  it("reports the percent done while the drive says the test runs", () => {
    const { watch, obs } = observeSelfTest(start(), running(70));
    expect(obs).toEqual({ state: "running", percent: 30, remainingPercent: 70 });
    expect(watch.sawRunning).toBe(true);
  });

  it("is done only when the log shows a new entry for the test, with its result", () => {
    let w = observeSelfTest(start(), running(10)).watch;
    const quiet = observeSelfTest(w, before);
    expect(quiet.obs).toEqual({ state: "waiting", quietReadings: 1 });
    w = quiet.watch;
    const done = observeSelfTest(w, logged({ value: 0, string: "Completed without error" }));
    expect(done.obs).toMatchObject({ state: "done", result: "passed" });
  });

  it("reports a read failure from the log as failed", () => {
    const { obs } = observeSelfTest(start(), logged({ value: 0x79, string: "Completed: read failure" }));
    expect(obs).toMatchObject({ state: "done", result: "failed", text: "Short offline: Completed: read failure" });
  });

  it("reports a test aborted on the drive as aborted", () => {
    const { obs } = observeSelfTest(start(), logged({ value: 0x19, string: "Aborted by host" }));
    expect(obs).toMatchObject({ state: "done", result: "aborted" });
  });

  it("does not take another kind of test for the one Kiln started", () => {
    const { obs } = observeSelfTest(start(), logged({ value: 0, string: "Completed without error" }, { value: 2, string: "Extended offline" }));
    expect(obs).toMatchObject({ state: "done", result: "unknown" });
    if (obs.state === "done") expect(obs.text).toMatch(/extended test .* not the short test/);
  });
});

describe("pollMsFor", () => {
  it("polls about a hundred times over the drive's estimate, 1 to 30 s apart", () => {
    expect(pollMsFor(1, "short")).toBe(1000);
    expect(pollMsFor(10, "short")).toBe(6000);
    expect(pollMsFor(600, "long")).toBe(30_000);
    expect(pollMsFor(null, "short")).toBe(1200);
  });
});
