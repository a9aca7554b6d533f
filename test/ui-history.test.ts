import { describe, expect, it } from "vitest";
import { canRestart, filterQuery, filtersFrom, jobSeconds } from "../public/history-query.js";

describe("history filters", () => {
  it("leaves blank filters out of the query and keeps a fixed order", () => {
    expect(filterQuery({ serial: " ZL2 ", status: "failed", host: "", from: null })).toBe("?status=failed&serial=ZL2");
    expect(filterQuery({})).toBe("");
    expect(filterQuery(null)).toBe("");
  });

  it("encodes values and reads them back unchanged", () => {
    const values = { host: "rack 2&3", status: "passed", from: "2024-01-01", to: "2024-02-01", serial: "a=b" };
    const q = filterQuery(values);
    expect(q).not.toContain("rack 2&3");
    expect(filtersFrom(q)).toEqual(values);
  });

  it("ignores unknown keys when reading a query", () => {
    expect(filtersFrom("?status=failed&evil=1")).toEqual({ host: "", status: "failed", from: "", to: "", serial: "" });
  });
});

describe("history rows", () => {
  it("offers a restart only for failed, cancelled and unknown jobs", () => {
    for (const s of ["failed", "cancelled", "unknown"]) expect(canRestart(s)).toBe(true);
    for (const s of ["passed", "running", "queued", "paused", undefined]) expect(canRestart(s)).toBe(false);
  });

  it("measures a job from start to finish, or to now while it runs", () => {
    expect(jobSeconds("2024-01-01T00:00:00Z", "2024-01-01T01:30:00Z")).toBe(5400);
    expect(jobSeconds("2024-01-01T00:00:00Z", null, Date.parse("2024-01-01T00:00:10Z"))).toBe(10);
    expect(jobSeconds(null, "2024-01-01T00:00:00Z")).toBeNull();
    expect(jobSeconds("garbage", null)).toBeNull();
  });
});
