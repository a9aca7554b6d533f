// Types for public/meters.js (plain browser ESM, imported by the unit tests).

export interface SurfaceSnapshot {
  patterns: string[];
  phase: number;
  phaseCount: number;
  phasePct: number;
  kind: "write" | "verify" | null;
  pattern: string | null;
  phaseSeconds: (number | null)[];
  elapsedSeconds?: number;
  mbps?: number | null;
  errors?: { read: number; write: number; corrupt: number };
}

export interface MeterFill {
  pattern: string;
  write: number;
  verify: number;
}

export interface PatternDuration {
  pattern: string;
  write: number | null;
  verify: number | null;
  total: number | null;
}

export const DEFAULT_PATTERNS: string[];
export const ETA_MIN_PERCENT: number;
export function meterFills(surface: SurfaceSnapshot | null | undefined, status: string | null | undefined): MeterFill[];
export function caption(surface: SurfaceSnapshot | null | undefined): string;
export function formatDuration(seconds: number | null | undefined): string;
export function formatEta(seconds: number | null | undefined, percent: number | null | undefined): string;
export function formatBytes(n: number | null | undefined): string;
export function patternDurations(surface: SurfaceSnapshot | null | undefined): PatternDuration[];
