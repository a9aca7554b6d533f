// What the drawer shows of a surface stage, derived from its saved parser state.
import { initialState, summary, type ProgressState } from "../badblocks/progress.js";
import { DEFAULT_PATTERNS, patternIndex, phaseKind } from "../badblocks/phases.js";
import type { StageRecord } from "../stage-kit/rows.js";
import { speedProfile, type SpeedProfile } from "./speed.js";

export interface SurfaceView {
  patterns: string[];
  phase: number;
  phaseCount: number;
  phasePct: number;
  kind: "write" | "verify" | null;
  pattern: string | null;
  phaseSeconds: (number | null)[];
  elapsedSeconds: number;
  /** Average throughput of the current phase, MB/s (decimal). */
  mbps: number | null;
  errors: { read: number; write: number; corrupt: number };
  notice: string | null;
  /** How often the test was resumed after its process vanished, and where (null: never). */
  resumes: string[] | null;
  /** Speed per pass, pattern and region so far; null for a resumed test (its segments are not timed alike). */
  speed: SpeedProfile | null;
}

/** The saved parser state of a stage's current run: the one place it is read back from the row. */
export function savedParserState(stage: Pick<StageRecord, "parser_state">): ProgressState | null {
  return stage.parser_state ? (JSON.parse(stage.parser_state) as ProgressState) : null;
}

/** The stage's speed profile, or null (not started, resumed, or no pass timed yet). */
export function stageSpeed(stage: Pick<StageRecord, "parser_state" | "resume_json">, sizeBytes: number): SpeedProfile | null {
  const state = savedParserState(stage);
  if (!state || stage.resume_json) return null;
  return speedProfile(state, sizeBytes);
}

export function surfaceView(stage: StageRecord, sizeBytes: number, optionsJson: string): SurfaceView {
  const patterns = (JSON.parse(optionsJson) as { patterns?: string[] }).patterns ?? [...DEFAULT_PATTERNS];
  const state = savedParserState(stage) ?? initialState(patterns);
  const s = summary(state);
  const resume = stage.resume_json ? (JSON.parse(stage.resume_json) as { history: string[] }) : null;
  if (resume) {
    // A resumed run's own phases are mapped to the original ones as the reader committed them.
    const phase = stage.bb_phase ?? 0;
    const count = 2 * patterns.length;
    return {
      patterns, phase, phaseCount: count, phasePct: Math.round((stage.bb_phase_pct ?? 0) * 100) / 100,
      kind: phaseKind(phase),
      pattern: phase > 0 ? (patterns[patternIndex(phase)] ?? null) : null,
      phaseSeconds: Array.from({ length: count }, () => null), elapsedSeconds: s.elapsedSeconds, mbps: null,
      errors: s.errors, notice: s.notice, resumes: resume.history, speed: null,
    };
  }
  const phaseStart = s.phase > 0 ? state.phaseStart[s.phase - 1] : null;
  const phaseElapsed = phaseStart != null ? s.elapsedSeconds - phaseStart : 0;
  const mbps =
    s.phase > 0 && phaseElapsed >= 1 && !s.terminal ? (sizeBytes * (s.phasePct / 100)) / phaseElapsed / 1e6 : null;
  return {
    patterns: state.patterns,
    phase: s.phase,
    phaseCount: s.phaseCount,
    phasePct: Math.round(s.phasePct * 100) / 100,
    kind: s.kind,
    pattern: s.pattern,
    phaseSeconds: s.phaseSeconds,
    elapsedSeconds: s.elapsedSeconds,
    mbps: mbps === null ? null : Math.round(mbps * 10) / 10,
    errors: s.errors,
    notice: s.notice,
    resumes: null,
    speed: speedProfile(state, sizeBytes),
  };
}
