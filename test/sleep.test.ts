// The stages' wait between readings and retries: a sleep that a cancel or a shutdown cuts short.
import { describe, expect, it } from "vitest";
import { sleep } from "../src/stage-kit/sleep.js";

describe("sleep", () => {
  it("returns at once when already aborted", async () => {
    await expect(sleep(3_600_000, AbortSignal.abort())).resolves.toBeUndefined();
  });

  it("returns when aborted while it waits, without rejecting", async () => {
    const stop = new AbortController();
    const waiting = sleep(3_600_000, stop.signal);
    stop.abort(new Error("cancelled"));
    await expect(waiting).resolves.toBeUndefined();
  });

  it("returns once the time is up when nothing aborts", async () => {
    let done = false;
    const waiting = sleep(5, new AbortController().signal).then(() => (done = true));
    await waiting;
    expect(done).toBe(true);
  });
});
