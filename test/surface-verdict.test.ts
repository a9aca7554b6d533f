import { describe, expect, it } from "vitest";
import { surfaceVerdict, type SurfaceFacts } from "../src/surface/verdict.js";

const errors = { read: 0, write: 0, corrupt: 0 };
const base: SurfaceFacts = { terminal: null, exitText: null, vanished: false, badBlockList: [], cancelRequested: false };
const completed = (badBlocks: number) => ({ kind: "completed" as const, badBlocks, errors });

describe("surface verdict", () => {
  it("passes a completed pass with zero bad blocks and exit status 0", () => {
    expect(surfaceVerdict({ ...base, terminal: completed(0), exitText: "0\n" }).status).toBe("passed");
  });
  it("fails a completed pass with bad blocks even though badblocks exits 0", () => {
    const v = surfaceVerdict({ ...base, terminal: completed(3), exitText: "0", badBlockList: [1, 2, 3] });
    expect(v).toMatchObject({ status: "failed" });
    expect(v.errorText).toMatch(/3 bad blocks/);
  });
  it("fails when the list holds blocks the summary line does not count", () => {
    expect(surfaceVerdict({ ...base, terminal: completed(0), exitText: "0", badBlockList: [7] }).status).toBe("failed");
  });
  it("never passes without an exit record", () => {
    expect(surfaceVerdict({ ...base, terminal: completed(0), exitText: null }).status).toBe("unknown");
  });
  it("never passes on a non-zero exit", () => {
    expect(surfaceVerdict({ ...base, terminal: completed(0), exitText: "1" }).status).toBe("unknown");
  });
  it("says unknown with a reason when the process vanished", () => {
    const v = surfaceVerdict({ ...base, vanished: true });
    expect(v.status).toBe("unknown");
    expect(v.errorText).toMatch(/gone/);
  });
  it("treats garbage in the exit file as no verdict", () => {
    const v = surfaceVerdict({ ...base, exitText: "\u0000garbage" });
    expect(v.status).toBe("unknown");
    expect(v.errorText).toMatch(/no terminal record/);
  });
  it("fails refusals with badblocks' own words", () => {
    const v = surfaceVerdict({ ...base, terminal: { kind: "refused", badBlocks: 0, errors, reason: "/dev/loop1 is mounted; it's not safe to run badblocks!" }, exitText: "1" });
    expect(v.status).toBe("failed");
    expect(v.errorText).toMatch(/is mounted/);
  });
  it("ends cancelled when the operator cancelled and badblocks was interrupted", () => {
    const v = surfaceVerdict({ ...base, terminal: { kind: "interrupted", badBlocks: 0, errors, block: 1234 }, cancelRequested: true });
    expect(v).toEqual({ status: "cancelled", errorText: "cancelled at block 1234" });
  });
  it("calls an interruption nobody asked for unknown, never passed", () => {
    expect(surfaceVerdict({ ...base, terminal: { kind: "interrupted", badBlocks: 0, errors, block: 5 }, exitText: "1" }).status).toBe("unknown");
  });
  it("fails an aborted test (too many bad blocks)", () => {
    expect(surfaceVerdict({ ...base, terminal: { kind: "aborted", badBlocks: 1, errors }, exitText: "0", badBlockList: [9] }).status).toBe("failed");
  });
});
