// The temperature guard of long stages: a pure hysteresis decision, and a sampler that reads the
// drive's temperature with smartctl and calls back to pause (SIGSTOP the process group, job
// `paused`) at or above the limit and to resume (SIGCONT) at or below the resume point.
import { sleep } from "./sleep.js";
import type { StageContext } from "./types.js";

export interface GuardLimits {
  /** Pause at or above this, °C. */
  limitC: number;
  /** Resume at or below this, °C; below limitC. */
  resumeC: number;
}

export const DEFAULT_GUARD_LIMITS: GuardLimits = { limitC: 55, resumeC: 48 };

export type GuardState = "running" | "paused";

export interface GuardDecision {
  state: GuardState;
  action: "pause" | "resume" | null;
}

/** Hysteresis: between resumeC and limitC nothing changes. An unknown temperature changes nothing. */
export function nextGuardState(state: GuardState, tempC: number | null, limits: GuardLimits = DEFAULT_GUARD_LIMITS): GuardDecision {
  if (tempC === null || !Number.isFinite(tempC)) return { state, action: null };
  if (state === "running" && tempC >= limits.limitC) return { state: "paused", action: "pause" };
  if (state === "paused" && tempC <= limits.resumeC) return { state: "running", action: "resume" };
  return { state, action: null };
}

/** The guard's limits from a job's options (`tempLimitC`, `tempResumeC`), defaults where unset or unusable. */
export function guardLimitsFrom(options: unknown): GuardLimits {
  const o = (options !== null && typeof options === "object" ? options : {}) as Record<string, unknown>;
  const pick = (v: unknown, fallback: number) => (typeof v === "number" && Number.isFinite(v) ? v : fallback);
  const limitC = pick(o.tempLimitC, DEFAULT_GUARD_LIMITS.limitC);
  const resumeC = pick(o.tempResumeC, Math.min(DEFAULT_GUARD_LIMITS.resumeC, limitC - 1));
  return resumeC < limitC ? { limitC, resumeC } : { limitC, resumeC: limitC - 1 };
}

export function pauseReason(tempC: number, limits: GuardLimits): string {
  return `drive at ${tempC} °C, at or above the ${limits.limitC} °C limit; continues at ${limits.resumeC} °C or below`;
}

export interface GuardOptions {
  sampleMs: number;
  onPause(reason: string): Promise<void>;
  onResume(): Promise<void>;
  /** "paused" when re-attaching to a job a previous Kiln paused. */
  initialState?: GuardState;
  limits?: GuardLimits;
}

/**
 * Samples the drive's temperature every `sampleMs` until stop() or the job is cancelled. Samples
 * never overlap; a failed reading is logged and changes nothing.
 */
export function startTemperatureGuard(ctx: StageContext, opts: GuardOptions): { stop(): void; readonly state: GuardState } {
  const limits = opts.limits ?? guardLimitsFrom(JSON.parse(ctx.job.options_json));
  const stopper = new AbortController();
  const stopped = AbortSignal.any([stopper.signal, ctx.signal]);
  const port = ctx.port;
  let state: GuardState = opts.initialState ?? "running";
  const loop = async () => {
    while (!stopped.aborted) {
      try {
        const r = await port.smart(ctx.job.device_path, "temperature");
        if (stopped.aborted) break;
        const temp = r.ok ? r.snapshot.temperatureC : null;
        if (!r.ok) ctx.log.warn({ reason: r.reason }, "temperature guard: SMART not readable");
        if (temp !== null) ctx.recorder.temperature(temp);
        const d = nextGuardState(state, temp, limits);
        if (d.action === "pause") await opts.onPause(pauseReason(temp!, limits));
        if (d.action === "resume") await opts.onResume();
        state = d.state;
      } catch (err) {
        if (stopped.aborted) break;
        ctx.log.warn({ err }, "temperature guard: sample failed");
      }
      await sleep(opts.sampleMs, stopped);
    }
  };
  void loop().catch((err) => ctx.log.error({ err }, "temperature guard stopped by an error"));
  return {
    stop: () => stopper.abort(),
    get state() {
      return state;
    },
  };
}
