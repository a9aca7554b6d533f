import { describe, expect, it } from "vitest";
import { afterCommit, afterSkip, initialGate, shouldCommit } from "../src/surface/gate.js";

const quiet = { phaseChanged: false, newBadBlocks: false, terminal: false };

describe("write gate", () => {
  it("commits the first progress at once", () => {
    expect(shouldCommit(initialGate(), 1000, 5000, quiet)).toBe(true);
  });
  it("holds progress back until the gate interval has passed", () => {
    const g = afterCommit(1000);
    expect(shouldCommit(g, 5999, 5000, quiet)).toBe(false);
    expect(shouldCommit(g, 6000, 5000, quiet)).toBe(true);
  });
  it("lets phase changes, new bad blocks and terminal records pass at once", () => {
    const g = afterCommit(1000);
    expect(shouldCommit(g, 1001, 5000, { ...quiet, phaseChanged: true })).toBe(true);
    expect(shouldCommit(g, 1001, 5000, { ...quiet, newBadBlocks: true })).toBe(true);
    expect(shouldCommit(g, 1001, 5000, { ...quiet, terminal: true })).toBe(true);
  });
  it("flushes held progress on a later tick with no new bytes, once due", () => {
    const held = afterSkip(afterCommit(1000));
    expect(shouldCommit(held, 3000, 5000)).toBe(false);
    expect(shouldCommit(held, 6000, 5000)).toBe(true);
    expect(shouldCommit(afterCommit(6000), 20000, 5000)).toBe(false);
  });
  it("commits at most once per interval over a steady stream of progress", () => {
    let g = initialGate();
    let commits = 0;
    for (let t = 0; t < 60_000; t += 1000) {
      if (shouldCommit(g, t, 5000, quiet)) {
        g = afterCommit(t);
        commits++;
      } else g = afterSkip(g);
    }
    expect(commits).toBe(12);
  });
});
