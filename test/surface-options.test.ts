// The operator's badblocks options, checked at the API edge with a reason per field.
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../src/errors.js";
import { validateSurfaceOptions } from "../src/surface/options.js";

describe("validateSurfaceOptions", () => {
  it("accepts badblocks' own choices and Kiln's guards", () => {
    const o = { blockSize: 4096, blocksAtOnce: 64, maxBadBlocks: 100, patterns: ["0xaa", "random"], tempLimitC: 50, tempResumeC: 45, usedDrive: "fail", tamperedDrive: "warn" };
    expect(validateSurfaceOptions(o)).toEqual(o);
    expect(validateSurfaceOptions({})).toEqual({});
  });

  it("refuses what badblocks or the guard cannot take, naming the field", () => {
    const refused: [unknown, RegExp][] = [
      [{ blockSize: 3000 }, /options\.blockSize: must be a power of two/],
      [{ blockSize: 512 }, /options\.blockSize/],
      [{ blocksAtOnce: 0 }, /options\.blocksAtOnce/],
      [{ patterns: [] }, /options\.patterns/],
      [{ patterns: ["0xaa", "0x55", "0xff", "0x00", "0x11"] }, /options\.patterns/],
      [{ patterns: ["0xa"] }, /a pattern is 0xNN or random/],
      [{ patterns: ["$(reboot)"] }, /a pattern is 0xNN or random/],
      [{ tempLimitC: 50, tempResumeC: 50 }, /tempResumeC must be below tempLimitC/],
      [{ usedDrive: "ignore" }, /options\.usedDrive/],
      [{ surprise: 1 }, /surprise|unrecognized/i],
      ["fast", /options/],
    ];
    for (const [input, why] of refused) {
      expect(() => validateSurfaceOptions(input), JSON.stringify(input)).toThrow(InvalidInputError);
      expect(() => validateSurfaceOptions(input), JSON.stringify(input)).toThrow(why);
    }
  });
});
