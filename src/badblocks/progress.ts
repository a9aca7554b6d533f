// A replayable reducer over the raw stderr of `badblocks -wsv` (or its squeezed log, see
// remote/squeeze.ts): feed(state, bytes) → { state, events }.
//
// badblocks redraws its status line in place: it prints `%6.2f%% done, M:SS elapsed. (r/w/c errors)`
// followed by as many backspaces, once a second, and its headers (`Testing with pattern 0xaa: `)
// are immediately followed by the first status line. So records are split on both \b and \n, a
// record may carry a header *and* a status, and runs of backspaces make empty records (ignored).
//
// The state is plain JSON data with a bounded size (no history of lines) and the byte offset it
// covers, so it can be saved and fed on later. Events depend only on the bytes, never on how they
// were cut into chunks. Bytes are read as latin1, so no input can make decoding throw.

import { SPEED_REGIONS } from "./speed-knowledge.js";
import { scanStatus, type StatusRecord } from "./status-scan.js";
import { DEFAULT_PATTERNS, nextPhase, normalizePattern, overallFor, patternIndex, phaseCountFor, phaseKind, type PhaseKind } from "./phases.js";
import { PERCENT_BEFORE_END } from "../percent.js";

export interface ErrorCounts {
  read: number;
  write: number;
  corrupt: number;
}

export type TerminalKind = "completed" | "aborted" | "interrupted" | "refused";

export interface Terminal {
  kind: TerminalKind;
  badBlocks: number;
  errors: ErrorCounts;
  /** Where an interrupted run stopped. */
  block?: number;
  /** Why badblocks refused (its own words). */
  reason?: string;
}

export type ProgressEvent =
  | { type: "phase"; phase: number; pattern: string | null; kind: PhaseKind }
  | { type: "progress"; phase: number; pct: number; elapsedSeconds: number; errors: ErrorCounts }
  | { type: "phaseDone"; phase: number; elapsedSeconds: number }
  | { type: "badBlock"; block: number }
  | { type: "notice"; text: string }
  | ({ type: "terminal" } & Terminal);

export interface ProgressState {
  patterns: string[];
  /** Bytes consumed so far (including those held in `partial`). */
  offset: number;
  /** An unfinished record from the end of the last chunk (latin1, at most MAX_RECORD chars). */
  partial: string;
  phase: number;
  pattern: string | null;
  phasePct: number;
  phaseDone: boolean;
  overallPct: number;
  elapsedSeconds: number;
  errors: ErrorCounts;
  /** Bad-block numbers seen as bare records (only when the list is on the same stream). */
  badBlocks: number;
  lastBlock: number | null;
  /** badblocks' elapsed seconds when each phase started / ended; index = phase - 1. */
  phaseStart: (number | null)[];
  phaseEnd: (number | null)[];
  aborting: boolean;
  /**
   * Speed across the disk: per phase (index = phase - 1), badblocks' elapsed seconds when the pass
   * crossed each of SPEED_REGIONS + 1 region boundaries (0 %, 10 %, …, 100 %), interpolated between
   * status lines; null where not seen. Bounded: MAX_TIMED_PHASES × (SPEED_REGIONS + 1) numbers.
   */
  regionTimes: (number | null)[][];
  /** The last status of the current phase, [percent, elapsed seconds], for the interpolation. */
  lastStatus: [number, number] | null;
  /** A pass that ended ("done") and waits for the next header's time as its end. */
  endingPhase: { phase: number; last: [number, number] } | null;
  /** The last unrecognised or error line seen while running, for the operator. */
  notice: string | null;
  terminal: Terminal | null;
}

export interface ProgressSummary {
  phase: number;
  phaseCount: number;
  phasePct: number;
  pattern: string | null;
  kind: PhaseKind | null;
  overallPct: number;
  errors: ErrorCounts;
  elapsedSeconds: number;
  /** Duration of each phase that has finished, null for the others. */
  phaseSeconds: (number | null)[];
  badBlocks: number;
  notice: string | null;
  terminal: Terminal | null;
}

const BACKSPACE = 8;
const NEWLINE = 10;
/** A record longer than this is cut (only garbage gets near it). */
const MAX_RECORD = 1024;
/** Phases whose start/end times are kept (badblocks -w has at most 8 unless told to repeat). */
const MAX_TIMED_PHASES = 64;

export function initialState(patterns: readonly string[] = DEFAULT_PATTERNS): ProgressState {
  const list = patterns.length > 0 ? patterns : DEFAULT_PATTERNS;
  return {
    patterns: list.map((p) => normalizePattern(p) ?? p.toLowerCase()),
    offset: 0,
    partial: "",
    phase: 0,
    pattern: null,
    phasePct: 0,
    phaseDone: false,
    overallPct: 0,
    elapsedSeconds: 0,
    errors: { read: 0, write: 0, corrupt: 0 },
    badBlocks: 0,
    lastBlock: null,
    phaseStart: [],
    phaseEnd: [],
    aborting: false,
    regionTimes: [],
    lastStatus: null,
    endingPhase: null,
    notice: null,
    terminal: null,
  };
}

/**
 * Consumes `chunk`; complete records produce events, an unfinished tail waits in `partial`.
 * Records end at \b or \n; a run of them ends one record (the rest would be empty records, about
 * half of a log's bytes). A status record inside the chunk is read from the bytes (status-scan.ts);
 * every other record, or one that began in an earlier chunk, goes through handleRecord.
 */
export function feed(prev: ProgressState, chunk: Buffer): { state: ProgressState; events: ProgressEvent[] } {
  const state = clone(prev);
  const events: ProgressEvent[] = [];
  state.offset += chunk.length;
  let start = 0;
  let i = 0;
  while (i < chunk.length) {
    const c = chunk[i];
    if (c !== BACKSPACE && c !== NEWLINE) {
      i++;
      continue;
    }
    const fast = state.partial === "" && !state.terminal && i - start <= MAX_RECORD ? scanStatus(chunk, start, i) : null;
    if (fast) status(state, fast, events);
    else if (i > start || state.partial !== "") {
      const record = cut(state.partial + chunk.toString("latin1", start, i));
      state.partial = "";
      handleRecord(state, record, events);
    }
    while (i < chunk.length && (chunk[i] === BACKSPACE || chunk[i] === NEWLINE)) i++;
    start = i;
  }
  state.partial = cut(state.partial + chunk.toString("latin1", start));
  return { state, events };
}

/** End of stream: the unfinished tail, if any, is taken as a last record. */
export function finish(prev: ProgressState): { state: ProgressState; events: ProgressEvent[] } {
  const state = clone(prev);
  const events: ProgressEvent[] = [];
  const record = state.partial;
  state.partial = "";
  handleRecord(state, record, events);
  return { state, events };
}

export function phaseCount(state: ProgressState): number {
  return phaseCountFor(state.patterns.length, state.phase);
}

/** Percent of the whole badblocks run (every phase), rounded to 2 decimals. Monotonic; 100 only after `Pass completed` of a run that was not aborted. */
export function runPercent(state: ProgressState): number {
  return Math.round(state.overallPct * 100) / 100;
}

export function summary(state: ProgressState): ProgressSummary {
  const count = phaseCount(state);
  const phaseSeconds: (number | null)[] = [];
  for (let i = 0; i < count; i++) {
    const start = state.phaseStart[i];
    const end = state.phaseEnd[i];
    phaseSeconds.push(start != null && end != null ? Math.max(0, end - start) : null);
  }
  return {
    phase: state.phase,
    phaseCount: count,
    phasePct: state.phasePct,
    pattern: state.pattern,
    kind: phaseKind(state.phase),
    overallPct: runPercent(state),
    errors: { ...state.errors },
    elapsedSeconds: state.elapsedSeconds,
    phaseSeconds,
    badBlocks: state.terminal ? state.terminal.badBlocks : state.badBlocks,
    notice: state.notice,
    terminal: state.terminal ? { ...state.terminal, errors: { ...state.terminal.errors } } : null,
  };
}

// ---- records ---------------------------------------------------------------------------------

const STATUS = /^(\d+(?:\.\d+)?)% done, (\d+(?::\d+)+) elapsed\.?(?: \((\d+)\/(\d+)\/(\d+) errors\))?/;
const WRITE_HEADER = /^Testing with (?:pattern (0x[0-9a-fA-F]+)|(random) pattern):\s*(.*)$/;
const VERIFY_HEADER = /^Reading and comparing:\s*(.*)$/;
const PASS_COMPLETED = /^Pass completed, (\d+) bad blocks found\.(?: \((\d+)\/(\d+)\/(\d+) errors\))?/;
const INTERRUPTED = /^Interrupted at block (\d+)/;
const FROM_BLOCK = /^From block (\d+) to (\d+)/;
const REFUSAL = /is mounted;|apparently in use by the system|must be 32-bit value|badblocks: (?:command )?not found/;
const OWN_ERROR = /^(?:\S*\/)?badblocks: (.*)$/;
const INFORMATIONAL = /^(?:Checking for bad blocks|Checking blocks \d+ to \d+)/;

function handleRecord(state: ProgressState, raw: string, events: ProgressEvent[]): void {
  const record = raw.trim();
  if (record === "" || state.terminal) return;
  // Status records are nearly all of a log; they start with a digit, the headers below with a letter.
  let m: RegExpExecArray | null = STATUS.exec(record);
  if (m) {
    status(state, statusOf(m), events);
  } else if ((m = WRITE_HEADER.exec(record))) {
    startPhase(state, "write", m[2] ? "random" : (normalizePattern(m[1] ?? "") ?? null), events);
    statusText(state, m[3] ?? "", events);
  } else if ((m = VERIFY_HEADER.exec(record))) {
    startPhase(state, "verify", null, events);
    statusText(state, m[1] ?? "", events);
  } else if (record === "done") {
    endPhase(state, events);
  } else if (/^\d+$/.test(record)) {
    state.badBlocks += 1;
    events.push({ type: "badBlock", block: Number(record) });
  } else if ((m = PASS_COMPLETED.exec(record))) {
    const errors = m[2] !== undefined ? counts(m[2], m[3], m[4]) : { ...state.errors };
    if (!state.aborting) endPhase(state, events);
    state.errors = errors;
    end(state, { kind: state.aborting ? "aborted" : "completed", badBlocks: Number(m[1]), errors }, events);
  } else if (record.startsWith("Too many bad blocks, aborting test")) {
    if (!state.aborting) {
      state.notice = record;
      events.push({ type: "notice", text: record });
    }
    state.aborting = true;
  } else if ((m = INTERRUPTED.exec(record))) {
    end(state, { kind: "interrupted", badBlocks: state.badBlocks, errors: { ...state.errors }, block: Number(m[1]) }, events);
  } else if (REFUSAL.test(record) || (state.phase === 0 && (OWN_ERROR.test(record) || record.startsWith("Usage: ")))) {
    const reason = OWN_ERROR.exec(record)?.[1] ?? record;
    end(state, { kind: "refused", badBlocks: 0, errors: { ...state.errors }, reason }, events);
  } else if ((m = FROM_BLOCK.exec(record))) {
    state.lastBlock = Number(m[2]);
  } else if (!INFORMATIONAL.test(record)) {
    state.notice = record;
    events.push({ type: "notice", text: record });
  }
}

function startPhase(state: ProgressState, kind: PhaseKind, pattern: string | null, events: ProgressEvent[]): void {
  if (state.phase > 0 && !state.phaseDone) setTime(state.phaseEnd, state.phase, state.elapsedSeconds);
  state.endingPhase = state.phase > 0 && state.lastStatus !== null ? { phase: state.phase, last: state.lastStatus } : null;
  state.lastStatus = null;
  const from = state.phase;
  state.phase = nextPhase(from, kind);
  state.phaseDone = false;
  state.phasePct = 0;
  const planned = state.patterns[patternIndex(state.phase)] ?? null;
  const sameWrite = kind === "verify" && from === state.phase - 1 ? state.pattern : null;
  state.pattern = kind === "write" ? (pattern ?? planned) : (sameWrite ?? planned);
  raiseOverall(state);
  events.push({ type: "phase", phase: state.phase, pattern: state.pattern, kind });
}

/** The status printed right after a header, if any. */
function statusText(state: ProgressState, text: string, events: ProgressEvent[]): void {
  const m = STATUS.exec(text.trim());
  if (m) status(state, statusOf(m), events);
}

/** The general path's reading of a status record (status-scan.ts is the fast one). */
function statusOf(m: RegExpExecArray): StatusRecord {
  return {
    pct: Number(m[1]),
    elapsedSeconds: seconds(m[2] ?? "0"),
    errors: m[3] !== undefined ? counts(m[3], m[4], m[5]) : null,
  };
}

function status(state: ProgressState, record: StatusRecord, events: ProgressEvent[]): void {
  const elapsed = record.elapsedSeconds;
  state.elapsedSeconds = Math.max(state.elapsedSeconds, elapsed);
  const errors = record.errors;
  if (errors && (errors.read !== state.errors.read || errors.write !== state.errors.write || errors.corrupt !== state.errors.corrupt)) state.errors = errors;
  if (state.endingPhase !== null) {
    // The previous pass ended when this one's first status was printed (the header carries it).
    crossTo(state, state.endingPhase.phase, state.endingPhase.last, 100, elapsed);
    state.endingPhase = null;
  }
  if (state.phase > 0 && !state.phaseDone) {
    state.phasePct = Math.max(state.phasePct, Math.min(100, record.pct));
    if (state.phaseStart[state.phase - 1] == null) setTime(state.phaseStart, state.phase, elapsed);
    crossTo(state, state.phase, state.lastStatus, state.phasePct, elapsed);
    state.lastStatus = [state.phasePct, elapsed];
  }
  raiseOverall(state);
  const e = state.errors;
  events.push({ type: "progress", phase: state.phase, pct: state.phasePct, elapsedSeconds: elapsed, errors: { read: e.read, write: e.write, corrupt: e.corrupt } });
}

function endPhase(state: ProgressState, events: ProgressEvent[]): void {
  if (state.phase === 0 || state.phaseDone) return;
  state.phaseDone = true;
  state.phasePct = 100;
  setTime(state.phaseEnd, state.phase, state.elapsedSeconds);
  raiseOverall(state);
  events.push({ type: "phaseDone", phase: state.phase, elapsedSeconds: state.elapsedSeconds });
}

function end(state: ProgressState, terminal: Terminal, events: ProgressEvent[]): void {
  if (terminal.kind === "completed") extrapolateEnd(state);
  state.terminal = terminal;
  if (terminal.kind === "completed") state.overallPct = 100;
  events.push({ type: "terminal", ...terminal, errors: { ...terminal.errors } });
}

/**
 * Records the region boundaries the pass crossed between its last status and (pct, t), by linear
 * interpolation; the first status of a pass sets the boundaries at or below its percent.
 */
function crossTo(state: ProgressState, phase: number, last: [number, number] | null, pct: number, t: number): void {
  if (phase < 1 || phase > MAX_TIMED_PHASES) return;
  while (state.regionTimes.length < phase) state.regionTimes.push([]);
  const times = state.regionTimes[phase - 1]!;
  while (times.length <= SPEED_REGIONS) times.push(null);
  for (let k = 0; k <= SPEED_REGIONS; k++) {
    const b = (100 * k) / SPEED_REGIONS;
    if (times[k] != null || b > pct + 1e-9) continue;
    if (last === null || pct <= last[0]) times[k] = last?.[1] ?? t;
    else times[k] = Math.round((last[1] + ((b - last[0]) / (pct - last[0])) * (t - last[1])) * 1000) / 1000;
  }
}

/** The last pass of a completed run has no next header: its end is extrapolated at its own average speed. */
function extrapolateEnd(state: ProgressState): void {
  const times = state.regionTimes[state.phase - 1];
  const last = state.lastStatus;
  if (!times || !last || times[SPEED_REGIONS] != null) return;
  const start = times[0];
  if (start == null) return;
  const t = last[0] > 0 && last[1] > start ? start + ((last[1] - start) * 100) / last[0] : last[1];
  crossTo(state, state.phase, last, 100, Math.round(t * 1000) / 1000);
}

function raiseOverall(state: ProgressState): void {
  const now = Math.min(PERCENT_BEFORE_END, overallFor(state.phase, state.phasePct, phaseCount(state)));
  state.overallPct = Math.max(state.overallPct, now);
}

function setTime(list: (number | null)[], phase: number, value: number): void {
  if (phase < 1 || phase > MAX_TIMED_PHASES) return;
  while (list.length < phase) list.push(null);
  list[phase - 1] = value;
}

/** `M:SS` or `H:MM:SS` (hours may exceed 24) → seconds. */
function seconds(text: string): number {
  return text.split(":").reduce((acc, part) => acc * 60 + Number(part), 0);
}

function counts(r?: string, w?: string, c?: string): ErrorCounts {
  return { read: Number(r ?? 0), write: Number(w ?? 0), corrupt: Number(c ?? 0) };
}

function cut(record: string): string {
  return record.length > MAX_RECORD ? record.slice(0, MAX_RECORD) : record;
}

function clone(state: ProgressState): ProgressState {
  return {
    ...state,
    patterns: [...state.patterns],
    errors: { ...state.errors },
    phaseStart: [...state.phaseStart],
    phaseEnd: [...state.phaseEnd],
    // States saved before the speed profile existed lack these fields.
    regionTimes: (state.regionTimes ?? []).map((r) => [...r]),
    lastStatus: state.lastStatus ? [state.lastStatus[0], state.lastStatus[1]] : null,
    endingPhase: state.endingPhase ? { phase: state.endingPhase.phase, last: [state.endingPhase.last[0], state.endingPhase.last[1]] } : null,
    terminal: state.terminal ? { ...state.terminal, errors: { ...state.terminal.errors } } : null,
  };
}
