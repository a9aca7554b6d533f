// The stage registry: name → implementation.
import type { StageName } from "./plan.js";
import { precheck } from "./precheck.js";
import { surfaceValidate } from "./surface.js";
import { smartStage } from "./smart-unavailable.js";
import type { StageImpl } from "./types.js";

const smartNotBuilt: StageImpl["run"] = async () => ({
  status: "unknown",
  errorText: "SMART self-tests on SMART-capable drives are not built yet (issue 4); run with stages [\"precheck\",\"surface_validate\"]",
});

export const STAGES: Record<StageName, StageImpl> = {
  precheck,
  smart_short: smartStage("smart_short", smartNotBuilt),
  surface_validate: surfaceValidate,
  smart_long: smartStage("smart_long", smartNotBuilt),
  final_check: smartStage("final_check", smartNotBuilt),
};
