// The pure half of pinning -w compare errors (src/badblocks/compare-pin.ts): one test per row of its table.
import { describe, expect, it } from "vitest";
import { onDevice, pinList, pinRanges } from "../src/badblocks/compare-pin.js";
import { buildCheckScript, parseCheckOutput } from "../src/remote/check-script.js";

describe("pinning bad blocks", () => {
  it("checks the chunk before each listed block and the block itself, on the device, merged", () => {
    expect(pinRanges([164, 170, 1084], 1024, 64)).toEqual([{ first: 100, last: 170 }, { first: 1020, last: 1023 }]);
    expect(pinRanges([10], 1024, 64)).toEqual([{ first: 0, last: 10 }]);
  });

  it("keeps a listed block the check found (a read error, or corrupt itself)", () => {
    expect(pinList([500], [500], 1024, 64)).toEqual({ list: [500], moved: [], dropped: [] });
  });

  it("replaces a block listed one chunk late by the block found before it", () => {
    expect(pinList([164], [100], 1024, 64)).toEqual({ list: [100], moved: [[164, 100]], dropped: [] });
  });

  it("lists a block once when the first run reported it late and a read-only segment reported it true", () => {
    expect(pinList([100, 164], [100], 1024, 64).list).toEqual([100]);
  });

  it("keeps an error the check did not repeat when it is on the device", () => {
    expect(pinList([700], [], 1024, 64)).toEqual({ list: [700], moved: [], dropped: [] });
  });

  it("never lists a block past the end of the device", () => {
    expect(pinList([1084], [1020], 1024, 64)).toEqual({ list: [1020], moved: [[1084, 1020]], dropped: [] });
    expect(pinList([1084], [], 1024, 64)).toEqual({ list: [], moved: [], dropped: [1084] });
    expect(onDevice([5, 1084], 1024)).toEqual({ list: [5], moved: [], dropped: [1084] });
  });

  it("runs one quoted read-only check per range and trusts the answer only when every check ended", () => {
    const script = buildCheckScript({ device: "/dev/loop7", sizeBytes: 4 << 20, blockSize: 4096, blocksAtOnce: 64, pattern: "0x55", ranges: [{ first: 100, last: 170 }] });
    expect(script).toContain("'badblocks' '-s' '-v' '-b' '4096' '-c' '64' '-t' '0x55' '-o' '/dev/stdout' '/dev/loop7' '170' '100'");
    expect(script).not.toContain("'-w'");
    expect(parseCheckOutput("100\nKILN-CHECK end\n")).toEqual([100]);
    expect(parseCheckOutput("100\nKILN-CHECK failed 1\nKILN-CHECK end\n")).toBeNull();
    expect(parseCheckOutput("100\n")).toBeNull();
  });
});
