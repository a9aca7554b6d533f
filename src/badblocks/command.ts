// Builds the argv of a destructive badblocks run from validated options. Pure: no shell, no host.
// The argv is later quoted word by word (shell/quote.ts) into the job's wrapper script.

import { InvalidInputError } from "../errors.js";
import { validateDevicePath } from "../shell/quote.js";
import { normalizePattern } from "./phases.js";

export const DEFAULT_BLOCK_SIZE = 4096;
export const DEFAULT_BLOCKS_AT_ONCE = 64;
/** Block sizes chooseBlockSize() picks from, smallest first. */
const AUTO_BLOCK_SIZES: readonly number[] = [4096, 8192, 16384, 32768, 65536];
/** badblocks counts blocks in 32 bits: the device must have fewer than 2^32 of them. */
const MAX_BLOCKS = 2 ** 32;
const MAX_PATTERNS = 4;
/** Largest -e badblocks accepts (INT_MAX / 2). */
const MAX_BAD_BLOCKS_LIMIT = 1073741823;
/** badblocks -w allocates two buffers of blockSize × blocksAtOnce; keep that sane. */
const MAX_BUFFER_BYTES = 256 * 1024 * 1024;

export interface BadblocksOptions {
  device: string;
  sizeBytes: number;
  blockSize?: number;
  blocksAtOnce?: number;
  /** `0xNN` bytes or `random`, at most 4; default: badblocks' own 0xaa, 0x55, 0xff, 0x00. */
  patterns?: readonly string[];
  /** -e: abort after this many bad blocks (0 = never). */
  maxBadBlocks?: number;
  /** -o: the bad-block list; relative to the job dir the wrapper runs in, or absolute. */
  outputFile: string;
  lastBlock?: number;
  firstBlock?: number;
  /** readOnly: no -w; compares the device with the one pattern given (a resumed run's check). */
  mode?: "write" | "readOnly";
}

/** Smallest of 4 KiB … 64 KiB that numbers every block of the device in 32 bits. */
export function chooseBlockSize(sizeBytes: number): number {
  checkSize(sizeBytes);
  for (const size of AUTO_BLOCK_SIZES) {
    if (Math.floor(sizeBytes / size) < MAX_BLOCKS) return size;
  }
  throw new InvalidInputError(`a device of ${sizeBytes} bytes has too many blocks for badblocks even at 64 KiB per block`);
}

export function buildBadblocksArgv(o: BadblocksOptions): string[] {
  const device = validateDevicePath(o.device);
  checkSize(o.sizeBytes);
  const blockSize = o.blockSize ?? chooseBlockSize(o.sizeBytes);
  checkBlockSize(blockSize, o.sizeBytes);
  const blocksAtOnce = o.blocksAtOnce ?? DEFAULT_BLOCKS_AT_ONCE;
  checkInt(blocksAtOnce, 1, 65536, "blocks at once (-c)");
  if (blockSize * blocksAtOnce > MAX_BUFFER_BYTES) {
    throw new InvalidInputError(
      `block size × blocks at once is ${blockSize * blocksAtOnce} bytes; keep it at most ${MAX_BUFFER_BYTES} (256 MiB)`,
    );
  }
  const readOnly = o.mode === "readOnly";
  const argv = ["badblocks", ...(readOnly ? [] : ["-w"]), "-s", "-v", "-b", String(blockSize), "-c", String(blocksAtOnce)];
  if (o.maxBadBlocks !== undefined) {
    checkInt(o.maxBadBlocks, 0, MAX_BAD_BLOCKS_LIMIT, "max bad blocks (-e)");
    argv.push("-e", String(o.maxBadBlocks));
  }
  const patterns = checkPatterns(o.patterns);
  if (readOnly && (patterns.length !== 1 || patterns[0] === "random")) {
    throw new InvalidInputError("a read-only check needs exactly one pattern, and it cannot be random");
  }
  for (const p of patterns) argv.push("-t", p);
  argv.push("-o", checkOutputFile(o.outputFile), device);
  argv.push(...checkRange(o, Math.floor(o.sizeBytes / blockSize)));
  return argv;
}

/** The patterns as they will be passed and as badblocks will print them; [] = its defaults. */
function checkPatterns(patterns: readonly string[] | undefined): string[] {
  if (patterns === undefined) return [];
  if (!Array.isArray(patterns)) throw new InvalidInputError("patterns must be a list");
  if (patterns.length > MAX_PATTERNS) {
    throw new InvalidInputError(`at most ${MAX_PATTERNS} test patterns are allowed, got ${patterns.length}`);
  }
  return patterns.map((p) => {
    const normal = typeof p === "string" ? normalizePattern(p) : null;
    if (normal === null) {
      throw new InvalidInputError(`test pattern ${JSON.stringify(p)} must be one byte like 0xaa, or "random"`);
    }
    return normal;
  });
}

function checkSize(sizeBytes: number): void {
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0) {
    throw new InvalidInputError(`device size ${String(sizeBytes)} must be a positive whole number of bytes`);
  }
}

function checkBlockSize(blockSize: number, sizeBytes: number): void {
  const powerOfTwo = Number.isInteger(blockSize) && blockSize > 0 && (blockSize & (blockSize - 1)) === 0;
  if (!powerOfTwo || blockSize < 1024 || blockSize > 1048576) {
    throw new InvalidInputError(`block size ${String(blockSize)} must be a power of two from 1024 to 1048576`);
  }
  if (Math.floor(sizeBytes / blockSize) >= MAX_BLOCKS) {
    throw new InvalidInputError(
      `block size ${blockSize} gives ${Math.floor(sizeBytes / blockSize)} blocks, more than badblocks can count (2^32); use ${chooseBlockSize(sizeBytes)} or larger`,
    );
  }
  if (sizeBytes < blockSize) throw new InvalidInputError(`device of ${sizeBytes} bytes is smaller than one block of ${blockSize}`);
}

function checkInt(n: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InvalidInputError(`${what} must be a whole number from ${min} to ${max}, got ${String(n)}`);
  }
}

function checkOutputFile(p: string): string {
  const ok =
    typeof p === "string" &&
    p.length > 0 &&
    p.length <= 255 &&
    /^[A-Za-z0-9._:+@=,/-]+$/.test(p) &&
    !p.startsWith("-") &&
    !p.endsWith("/") &&
    !p.split("/").some((seg, i) => seg === ".." || seg === "." || (seg === "" && i > 0));
  if (!ok) throw new InvalidInputError(`output file ${JSON.stringify(p)} must be a plain relative or absolute path`);
  return p;
}

function checkRange(o: BadblocksOptions, blockCount: number): string[] {
  if (o.lastBlock === undefined) {
    if (o.firstBlock !== undefined) throw new InvalidInputError("a first block needs a last block too");
    return [];
  }
  checkInt(o.lastBlock, 0, blockCount - 1, "last block");
  if (o.firstBlock === undefined) return [String(o.lastBlock)];
  checkInt(o.firstBlock, 0, o.lastBlock, "first block");
  return [String(o.lastBlock), String(o.firstBlock)];
}
