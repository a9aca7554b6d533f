import { describe, expect, it } from "vitest";
import { buildBadblocksArgv, chooseBlockSize, type BadblocksOptions } from "../src/badblocks/command.js";
import { InvalidInputError } from "../src/errors.js";

const TiB = 2 ** 40;
const base: BadblocksOptions = { device: "/dev/sdb", sizeBytes: 4 * TiB, outputFile: "badblocks.txt" };

describe("chooseBlockSize", () => {
  it.each([
    [1, 4096],
    [4 * TiB, 4096],
    [16 * TiB - 1, 4096],
    [16 * TiB, 8192],
    [20 * TiB, 8192],
    [32 * TiB, 16384],
    [100 * TiB, 32768],
    [200 * TiB, 65536],
  ])("picks the smallest block size that numbers a %d-byte device in 32 bits", (size, expected) => {
    expect(chooseBlockSize(size)).toBe(expected);
    expect(Math.floor(size / expected)).toBeLessThan(2 ** 32);
  });

  it("gives up on a device too big even for 64 KiB blocks", () => {
    expect(() => chooseBlockSize(2 ** 48 + 2 ** 20)).toThrow(InvalidInputError);
  });
});

describe("buildBadblocksArgv", () => {
  it("defaults to a destructive verbose run with 4 KiB blocks, 64 at once", () => {
    expect(buildBadblocksArgv(base)).toEqual(["badblocks", "-w", "-s", "-v", "-b", "4096", "-c", "64", "-o", "badblocks.txt", "/dev/sdb"]);
  });

  it("switches to bigger blocks on its own for drives over 16 TiB", () => {
    expect(buildBadblocksArgv({ ...base, sizeBytes: 18 * TiB })).toContain("8192");
  });

  it("passes -e, patterns and a block range in badblocks' order", () => {
    const argv = buildBadblocksArgv({ ...base, blockSize: 8192, blocksAtOnce: 32, maxBadBlocks: 10, patterns: ["0xAA", "random"], lastBlock: 999, firstBlock: 100 });
    expect(argv).toEqual(["badblocks", "-w", "-s", "-v", "-b", "8192", "-c", "32", "-e", "10", "-t", "0xaa", "-t", "random", "-o", "badblocks.txt", "/dev/sdb", "999", "100"]);
  });

  it.each<[string, Partial<BadblocksOptions>, string]>([
    ["a hostile device name", { device: "/dev/sdb; rm -rf /" }, "characters"],
    ["a device outside /dev", { device: "/tmp/disk.img" }, "/dev/"],
    ["a block size that is not a power of two", { blockSize: 3000 }, "power of two"],
    ["a block size below 1024", { blockSize: 512 }, "power of two"],
    ["a block size above 1 MiB", { blockSize: 2 ** 21 }, "power of two"],
    ["1 KiB blocks on a 17 TiB drive", { blockSize: 1024, sizeBytes: 17 * TiB }, "2^32"],
    ["zero blocks at once", { blocksAtOnce: 0 }, "blocks at once"],
    ["too many blocks at once", { blocksAtOnce: 65537 }, "blocks at once"],
    ["a buffer over 256 MiB", { blockSize: 1048576, blocksAtOnce: 512 }, "256 MiB"],
    ["a multi-byte pattern", { patterns: ["0x1ff"] }, "one byte"],
    ["a decimal pattern", { patterns: ["170"] }, "one byte"],
    ["a pattern with shell in it", { patterns: ["0xaa;id"] }, "one byte"],
    ["five patterns", { patterns: ["0x00", "0x11", "0x22", "0x33", "0x44"] }, "at most 4"],
    ["a negative -e", { maxBadBlocks: -1 }, "max bad blocks"],
    ["a fractional -e", { maxBadBlocks: 1.5 }, "max bad blocks"],
    ["an output file that looks like an option", { outputFile: "-x" }, "output file"],
    ["an output file climbing out", { outputFile: "../x" }, "output file"],
    ["an output file with a space", { outputFile: "bad blocks.txt" }, "output file"],
    ["a first block without a last block", { firstBlock: 5 }, "last block"],
    ["a first block after the last", { lastBlock: 5, firstBlock: 6 }, "first block"],
    ["a last block beyond the device", { sizeBytes: 4096 * 10, lastBlock: 10 }, "last block"],
    ["a size that is not a whole number", { sizeBytes: 1.5 }, "device size"],
    ["a device smaller than a block", { sizeBytes: 1000 }, "smaller than one block"],
  ])("rejects %s", (_what, patch, message) => {
    expect(() => buildBadblocksArgv({ ...base, ...patch })).toThrow(InvalidInputError);
    expect(() => buildBadblocksArgv({ ...base, ...patch })).toThrow(message);
  });
});
