// The write gate's decision, pure: at most one progress commit per job per `gateMs`; phase changes,
// new bad blocks and terminal records pass at once.

export interface GateState {
  /** When the last commit for this job happened (ms), or null before the first. */
  lastCommitAt: number | null;
  /** Progress seen since the last commit that is not yet in the database. */
  dirty: boolean;
}

export interface Change {
  phaseChanged: boolean;
  newBadBlocks: boolean;
  terminal: boolean;
}

export function initialGate(): GateState {
  return { lastCommitAt: null, dirty: false };
}

function isUrgent(change: Change): boolean {
  return change.phaseChanged || change.newBadBlocks || change.terminal;
}

/** Whether to commit now, given what just changed (or nothing, on a timer tick). */
export function shouldCommit(gate: GateState, now: number, gateMs: number, change?: Change): boolean {
  if (change && isUrgent(change)) return true;
  if (!gate.dirty && !change) return false;
  return gate.lastCommitAt === null || now - gate.lastCommitAt >= gateMs;
}

export function afterCommit(now: number): GateState {
  return { lastCommitAt: now, dirty: false };
}

export function afterSkip(gate: GateState): GateState {
  return { ...gate, dirty: true };
}
