// The surface test's verdict, pure. badblocks exits 0 even when it found bad blocks, so the exit
// code alone never passes a drive: `passed` needs the terminal record, zero bad blocks in both the
// record and the list, and the exit file.

export interface SurfaceFacts {
  /** The parser's terminal record, if the log held one. */
  terminal: {
    kind: "completed" | "aborted" | "interrupted" | "refused";
    badBlocks?: number;
    errors?: { read: number; write: number; corrupt: number };
    block?: number;
    reason?: string;
  } | null;
  /** Contents of the exit file, or null when there is none. */
  exitText: string | null;
  /** Whether the process is known to be gone without an exit record. */
  vanished: boolean;
  badBlockList: number[];
  cancelRequested: boolean;
}

export interface Verdict {
  status: "passed" | "failed" | "cancelled" | "unknown";
  errorText: string | null;
}

const errorsText = (e?: { read: number; write: number; corrupt: number }) =>
  e ? ` (${e.read} read, ${e.write} write, ${e.corrupt} corruption errors)` : "";

export function surfaceVerdict(f: SurfaceFacts): Verdict {
  const exit = f.exitText === null ? null : f.exitText.trim();
  const t = f.terminal;
  if (f.cancelRequested && (t === null || t.kind === "interrupted")) {
    return { status: "cancelled", errorText: t?.block !== undefined ? `cancelled at block ${t.block}` : "cancelled" };
  }
  if (t?.kind === "refused") return { status: "failed", errorText: `badblocks refused to run: ${t.reason ?? "unknown reason"}` };
  if (t?.kind === "aborted") {
    return { status: "failed", errorText: `too many bad blocks, badblocks aborted the test after ${f.badBlockList.length} bad blocks` };
  }
  if (t?.kind === "completed") {
    const found = Math.max(t.badBlocks ?? 0, f.badBlockList.length);
    if (found > 0) return { status: "failed", errorText: `${found} bad blocks found${errorsText(t.errors)}` };
    if (exit === null) return { status: "unknown", errorText: "the pass completed but no exit status was recorded" };
    if (exit !== "0") return { status: "unknown", errorText: `the pass completed but badblocks exited with status ${exit}` };
    return { status: "passed", errorText: null };
  }
  if (t?.kind === "interrupted") {
    return { status: "unknown", errorText: `badblocks was interrupted at block ${t.block ?? "?"} (signal from outside Kiln)` };
  }
  if (f.badBlockList.length > 0) {
    return { status: "failed", errorText: `${f.badBlockList.length} bad blocks found before badblocks ended without a terminal record` };
  }
  if (exit !== null) {
    const shown = /^\d{1,3}$/.test(exit) ? exit : JSON.stringify(exit.slice(0, 40));
    return { status: "unknown", errorText: `badblocks exited with status ${shown} and its log holds no terminal record` };
  }
  if (f.vanished) {
    return { status: "unknown", errorText: "the badblocks process is gone and left no exit status (killed, or the host rebooted)" };
  }
  return { status: "unknown", errorText: "badblocks ended without a verdict" };
}

/**
 * A resumed test's verdict once its last segment completed. Like the first run's max(count, list),
 * each segment's own "N bad blocks found" counts: `reported` is the highest any segment printed, a
 * floor on what was found even when the list on the host lost some.
 */
export function resumedVerdict(listed: number, reported: number, resumes: number): Verdict {
  const found = Math.max(listed, reported);
  if (found === 0) return { status: "passed", errorText: null };
  return { status: "failed", errorText: `${found} bad blocks found (the test was resumed ${resumes} time(s))` };
}
