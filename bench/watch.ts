// Host-side progress logs watched by file growth: each new status record is timestamped the moment
// the bench sees the file grow (polled every `everyMs`), keyed by badblocks' own elapsed seconds.
import { closeSync, openSync, readSync, statSync } from "node:fs";

export interface LineSeen {
  jobId: number;
  /** Phase (1-based, counted from the headers) and badblocks' elapsed seconds. */
  phase: number;
  elapsed: number;
  at: number;
}

export class LogWatcher {
  readonly lines: LineSeen[] = [];
  private offsets = new Map<number, number>();
  private partial = new Map<number, string>();
  private phases = new Map<number, number>();
  private timer: NodeJS.Timeout;

  constructor(private files: Map<number, string>, everyMs = 50) {
    this.timer = setInterval(() => this.scan(), everyMs);
  }

  private scan(): void {
    const now = Date.now();
    for (const [jobId, file] of this.files) {
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        continue;
      }
      // The first read of a log only counts its phase headers: lines written before the watch began
      // have no moment of their own to time (stamping them "now" made negative delays).
      const first = !this.offsets.has(jobId);
      const from = this.offsets.get(jobId) ?? 0;
      if (size <= from) continue;
      const buf = Buffer.alloc(size - from);
      const fd = openSync(file, "r");
      readSync(fd, buf, 0, buf.length, from);
      closeSync(fd);
      this.offsets.set(jobId, size);
      const records = ((this.partial.get(jobId) ?? "") + buf.toString("latin1")).split(/[\n\x08]/);
      this.partial.set(jobId, records.pop() ?? "");
      for (const r of records) {
        if (/Testing with pattern|Reading and comparing/.test(r)) this.phases.set(jobId, (this.phases.get(jobId) ?? 0) + 1);
        const m = /([\d:]+) elapsed\./.exec(r);
        if (m && !first) this.lines.push({ jobId, phase: this.phases.get(jobId) ?? 0, elapsed: m[1]!.split(":").reduce((t, p) => t * 60 + Number(p), 0), at: now });
      }
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

type JobEvent = { event: string; data: any; at: number };
const order = (phase: number, elapsed: number) => phase * 1e7 + elapsed;

/** For each line seen on the host, seconds until the first SSE `job` event of that job that reached it. */
export function deliveryDelays(lines: LineSeen[], perJob: Map<number, JobEvent[]>): { delays: number[]; unmatched: number } {
  const delays: number[] = [];
  let unmatched = 0;
  for (const l of lines) {
    const k = order(l.phase, l.elapsed);
    const ev = perJob.get(l.jobId)?.find((e) => e.data.surface && order(e.data.surface.phase, e.data.surface.elapsedSeconds) >= k);
    if (ev) delays.push((ev.at - l.at) / 1000);
    else unmatched++;
  }
  return { delays, unmatched };
}
