// The stage registry: name → implementation.
import type { StageName } from "./plan.js";
import { precheck } from "./precheck.js";
import { surfaceValidate } from "../surface/stage.js";
import { smartStage } from "./smart-unavailable.js";
import { smartLong, smartShort } from "./smart-selftest.js";
import { finalCheck } from "./final-check.js";
import type { StageImpl } from "./types.js";

export const STAGES: Record<StageName, StageImpl> = {
  precheck,
  smart_short: smartStage("smart_short", smartShort),
  surface_validate: surfaceValidate,
  smart_long: smartStage("smart_long", smartLong),
  final_check: smartStage("final_check", finalCheck),
};
