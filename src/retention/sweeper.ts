// Retention: once a finished job is older than the setting, its directories on the host are removed
// (its bad-block list and summary are in the database by then: stages commit them before the job
// ends, and the host script re-checks the list was read to its end) and its samples are thinned.
// Runs an hour apart; sweep(now) is also what tests and the settings page's numbers use.
import type { Db } from "../db/open.js";
import type { Logger } from "../log.js";
import type { HostRegistry } from "../hosts/registry.js";
import { getHost, listHosts } from "../hosts/repo.js";
import { jobDirFor } from "../surface/run.js";
import { installId } from "../jobs/run-identity.js";
import { buildPruneScript, parsePruneOutput, type PruneOutcome, type PruneRequest } from "../remote/prune.js";
import { dbUsage, dueJobDirs, markDirsRemoved, thinSamples, type DbUsage, type DueJobDir } from "./repo.js";

export interface RetentionOptions {
  /** Remove a finished job's host directories this many days after it finished; 0 = never. */
  jobDirDays: number;
  /** Thin the samples of jobs finished this many days ago to one per 10 minutes; 0 = never. */
  thinSamplesDays: number;
}

export interface HostUsage {
  hostId: number;
  name: string;
  kib: number;
  dirs: number;
  at: string;
}

export interface SweepReport {
  removed: number[];
  kept: { jobId: number; why: PruneOutcome | "unreachable" }[];
  thinned: { jobs: number; deleted: number };
}

const DAY_MS = 86_400_000;
const EVERY_MS = 3_600_000;
const FIRST_AFTER_MS = 60_000;
const REQUESTS_PER_SCRIPT = 100;

export class RetentionSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SweepReport> | null = null;
  private hostUsage = new Map<number, HostUsage>();

  constructor(private deps: { db: Db; registry: HostRegistry; log: Logger; options: RetentionOptions }) {}

  start(): void {
    const tick = () => {
      this.sweep().catch((err) => this.deps.log.error({ err }, "retention sweep failed"));
      this.timer = setTimeout(tick, EVERY_MS).unref();
    };
    this.timer = setTimeout(tick, FIRST_AFTER_MS).unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One sweep; a sweep asked for while one runs waits for that one instead. */
  sweep(now = Date.now()): Promise<SweepReport> {
    this.running ??= this.sweepOnce(now).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  usage(): { db: DbUsage; hosts: HostUsage[]; options: RetentionOptions } {
    return { db: dbUsage(this.deps.db), hosts: [...this.hostUsage.values()], options: this.deps.options };
  }

  private async sweepOnce(now: number): Promise<SweepReport> {
    const { db, options } = this.deps;
    const report: SweepReport = { removed: [], kept: [], thinned: { jobs: 0, deleted: 0 } };
    const due = options.jobDirDays > 0 ? dueJobDirs(db, new Date(now - options.jobDirDays * DAY_MS).toISOString()) : [];
    const byHost = new Map<number, DueJobDir[]>();
    for (const d of due) byHost.set(d.hostId, [...(byHost.get(d.hostId) ?? []), d]);
    for (const host of listHosts(db)) await this.pruneHost(host.id, byHost.get(host.id) ?? [], report);
    if (options.thinSamplesDays > 0) {
      const cutoff = new Date(now - options.thinSamplesDays * DAY_MS).toISOString();
      for (;;) {
        const r = thinSamples(db, cutoff);
        report.thinned.jobs += r.jobs;
        report.thinned.deleted += r.deleted;
        if (r.jobs === 0) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (report.removed.length || report.kept.length || report.thinned.jobs) this.deps.log.info(report, "retention sweep");
    return report;
  }

  private async pruneHost(hostId: number, due: DueJobDir[], report: SweepReport): Promise<void> {
    const host = getHost(this.deps.db, hostId);
    if (!host) return;
    const jobsDir = `${host.work_dir.replace(/\/+$/, "")}/jobs`;
    const outcomes = new Map<number, PruneOutcome[]>();
    const reqs: PruneRequest[] = [];
    for (const d of due) {
      const list = outcomes.get(d.jobId) ?? [];
      outcomes.set(d.jobId, list);
      if (d.seq < 0) continue; // no surface stage: nothing of this job on the host
      reqs.push({ key: `${d.jobId}-${d.seq}`, baseDir: jobDirFor(host.work_dir, installId(this.deps.db), d.jobId, d.seq), device: d.devicePath, lastDir: d.remoteDir, bbOffset: d.bbOffset });
    }
    try {
      for (let i = 0; i === 0 || i < reqs.length; i += REQUESTS_PER_SCRIPT) {
        const part = reqs.slice(i, i + REQUESTS_PER_SCRIPT);
        const res = await this.deps.registry.exec(hostId, buildPruneScript(jobsDir, part), { timeoutMs: 120_000 });
        const answer = parsePruneOutput(res.stdout);
        for (const r of part) outcomes.get(Number(r.key.split("-")[0]))!.push(answer.outcomes.get(r.key) ?? "alive");
        if (answer.usage) this.hostUsage.set(hostId, { hostId, name: host.name, ...answer.usage, at: new Date().toISOString() });
      }
    } catch (err) {
      this.deps.log.warn({ err, host: host.name }, "retention: host not reachable; its finished jobs' directories stay for the next sweep");
      for (const jobId of outcomes.keys()) report.kept.push({ jobId, why: "unreachable" });
      return;
    }
    for (const [jobId, list] of outcomes) {
      const blocking = list.find((o) => o !== "removed" && o !== "absent");
      if (blocking) {
        report.kept.push({ jobId, why: blocking });
        continue;
      }
      markDirsRemoved(this.deps.db, jobId, list.includes("removed")
        ? "removed this job's directories on the host (retention); its bad blocks and summary stay here"
        : "nothing of this job left on the host");
      report.removed.push(jobId);
    }
  }
}
