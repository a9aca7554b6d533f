// The stage registry: name → implementation, and the one way jobs/ reaches the stages. The surface
// test (src/surface/) brings its per-host readers, made here for the runner that owns them; the
// views and options of the surface test that jobs/ shows or checks are passed on from here too.
import type { StageName } from "../stage-kit/plan.js";
import type { StageImpl } from "../stage-kit/types.js";
import { createSurfaceStage } from "../surface/stage.js";
import type { ReaderDeps } from "../surface/reader.js";
import { precheck } from "./precheck.js";
import { smartStage } from "./smart-unavailable.js";
import { smartLong, smartShort } from "./smart-selftest.js";
import { finalCheck } from "./final-check.js";

export { surfaceView, type SurfaceView } from "../surface/view.js";
export { validateSurfaceOptions, type SurfaceOptions } from "../surface/options.js";
export type { SpeedProfile } from "../surface/speed.js";
export type { StuckLimits } from "../surface/follower.js";

export type StageDeps = ReaderDeps;

export interface Stages {
  byName: Record<StageName, StageImpl>;
  /** Stops following a job that ended elsewhere (abandoned): its followed stages end `unknown` now. */
  release(jobId: number, errorText: string): void;
  /** Commits what the readers hold and stops reading; the hosts' processes keep running. */
  stop(): void;
}

export function createStages(deps: StageDeps): Stages {
  const surface = createSurfaceStage(deps);
  return {
    byName: {
      precheck,
      smart_short: smartStage("smart_short", smartShort),
      surface_validate: surface.stage,
      smart_long: smartStage("smart_long", smartLong),
      final_check: smartStage("final_check", finalCheck),
    },
    release: (jobId, errorText) => surface.readers.release(jobId, errorText),
    stop: () => surface.readers.stop(),
  };
}
