// The operator's badblocks options for a batch, validated at the API edge. The command builder
// checks them again against each drive's size.
import { z } from "zod";
import { InvalidInputError } from "../errors.js";

const surfaceOptionsSchema = z
  .object({
    blockSize: z.number().int().min(1024).max(1 << 20).refine((n) => (n & (n - 1)) === 0, "must be a power of two").optional(),
    blocksAtOnce: z.number().int().min(1).max(65536).optional(),
    maxBadBlocks: z.number().int().min(1).max(1_000_000).optional(),
    patterns: z
      .array(z.string().regex(/^(0x[0-9a-fA-F]{2}|random)$/, "a pattern is 0xNN or random"))
      .min(1)
      .max(4)
      .optional(),
    /** Temperature guard: pause at or above this (°C), resume at or below tempResumeC. */
    tempLimitC: z.number().int().min(30).max(80).optional(),
    tempResumeC: z.number().int().min(20).max(79).optional(),
    /** What a `used` / `tampered` new-drive verdict does to the job (default: warn / fail). */
    usedDrive: z.enum(["warn", "fail"]).optional(),
    tamperedDrive: z.enum(["warn", "fail"]).optional(),
  })
  .strict()
  .refine((o) => o.tempLimitC === undefined || o.tempResumeC === undefined || o.tempResumeC < o.tempLimitC, {
    message: "tempResumeC must be below tempLimitC",
  });

export type SurfaceOptions = z.infer<typeof surfaceOptionsSchema>;

export function validateSurfaceOptions(input: unknown): SurfaceOptions {
  const parsed = surfaceOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `options.${i.path.join(".")}: ${i.message}`).join("; ");
    throw new InvalidInputError(msg);
  }
  return parsed.data;
}
