// Writes that meet another connection's lock are retried on timers until it is gone; other errors
// pass through at once.
import { describe, expect, it } from "vitest";
import { isBusy, retryBusy } from "../src/db/retry.js";

const busy = () => Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });

describe("retryBusy", () => {
  it("tells a busy or locked database from other errors", () => {
    expect(isBusy(busy())).toBe(true);
    expect(isBusy({ code: "SQLITE_BUSY_SNAPSHOT" })).toBe(true);
    expect(isBusy({ code: "SQLITE_LOCKED" })).toBe(true);
    expect(isBusy({ code: "SQLITE_CONSTRAINT_UNIQUE" })).toBe(false);
    expect(isBusy(new Error("x"))).toBe(false);
    expect(isBusy(undefined)).toBe(false);
  });

  it("retries while busy, tells of the first busy answer once, and returns the write's value", async () => {
    let calls = 0;
    const heard: unknown[] = [];
    const value = await retryBusy(() => {
      if (++calls < 3) throw busy();
      return "written";
    }, 60_000, (err) => heard.push(err));
    expect(value).toBe("written");
    expect(calls).toBe(3);
    expect(heard).toHaveLength(1);
  });

  it("passes any other error through at once", async () => {
    let calls = 0;
    await expect(retryBusy(() => {
      calls++;
      throw new Error("no such table: jobs");
    })).rejects.toThrow("no such table");
    expect(calls).toBe(1);
  });

  it("gives up with the busy error once its time is up", async () => {
    await expect(retryBusy(() => { throw busy(); }, 0)).rejects.toMatchObject({ code: "SQLITE_BUSY" });
  });
});
