// Abandoning a job whose host never came back, and the rule that follows: the drive takes no new
// burn-in until Kiln has reached the host again and seen that the abandoned process is gone.
// (Migration 009: abandoned_jobs.)
import type { Db } from "../db/open.js";
import type { HostRegistry } from "../hosts/registry.js";
import { buildReadScript, parseReadOutput } from "../remote/read-script.js";
import { nowIso } from "../db/time.js";
import { addJobEvent, endOpenStages, getStages, transitionJob } from "./repo.js";
import type { JobHooks } from "./hooks.js";
import { OPEN_STAGE_STATUSES, STARTED_JOB_STATUSES } from "../status.js";

export const abandonText = (who: string, hostName: string) => `abandoned by ${who}; the process on ${hostName} may still run`;

/**
 * Ends an active job `unknown` and records it as abandoned, in one transaction (with the job-ended
 * hooks). False when the job was no longer active.
 */
export interface AbandonFacts {
  jobId: number;
  driveId: number;
  hostId: number;
  hostName: string;
  who: string;
}

export function abandonJob(db: Db, hooks: JobHooks, f: AbandonFacts, now = Date.now()): boolean {
  const { jobId } = f;
  const errorText = abandonText(f.who, f.hostName);
  return db.transaction(() => {
    if (!transitionJob(db, jobId, "unknown", { errorText, now, onlyFrom: STARTED_JOB_STATUSES })) return false;
    endOpenStages(db, jobId, OPEN_STAGE_STATUSES, "unknown", { errorText, now });
    db.prepare("INSERT INTO abandoned_jobs (job_id, drive_id, host_id, abandoned_by, abandoned_at) VALUES (?, ?, ?, ?, ?)")
      .run(jobId, f.driveId, f.hostId, f.who, nowIso(now));
    addJobEvent(db, jobId, "abandoned", errorText);
    hooks.runEnded(db, jobId, "unknown");
    return true;
  }).immediate();
}

export interface OpenAbandoned {
  jobId: number;
  /** Where to look for the process now: the drive's current host. */
  hostId: number;
}

/**
 * Abandoned jobs on this physical drive whose process has not been seen gone yet: on this drive
 * row, or on the same disk (identity) of a removed host at the same address and port that was added
 * again (its drives are new rows, the old process may still run).
 */
export function openAbandoned(db: Db, driveId: number): OpenAbandoned[] {
  return db
    .prepare(
      `SELECT a.job_id AS jobId, nd.host_id AS hostId
         FROM abandoned_jobs a
         JOIN drives od ON od.id = a.drive_id JOIN hosts oh ON oh.id = a.host_id
         JOIN drives nd ON nd.id = ? JOIN hosts nh ON nh.id = nd.host_id
        WHERE a.confirmed_gone_at IS NULL
          AND (a.drive_id = nd.id OR (od.identity_key = nd.identity_key AND oh.address = nh.address AND oh.port = nh.port))
        ORDER BY a.job_id`,
    )
    .all(driveId) as OpenAbandoned[];
}

/**
 * Asks the host whether any run of the abandoned job still lives (the same check the reader uses:
 * the recorded pid must still be this job's wrapper or badblocks on this device). Returns the live
 * process group, or null once every run is gone, which is then recorded. Throws when the host
 * cannot be reached (HostError): the drive stays refused.
 */
export async function checkAbandonedGone(db: Db, registry: HostRegistry, a: OpenAbandoned, now = Date.now()): Promise<{ pgid: number | null } | null> {
  const dirs = getStages(db, a.jobId).filter((s) => s.remote_dir).map((s) => ({ key: String(s.id), jobDir: s.remote_dir! }));
  const script = buildReadScript(dirs.map((d) => ({ ...d, logOffset: 0, bbOffset: 0, maxBytes: 1 })));
  const res = await registry.exec(a.hostId, dirs.length ? script : "true", { timeoutMs: 60_000 });
  if (dirs.length) {
    const reads = parseReadOutput(res.stdout);
    for (const d of dirs) {
      const r = reads.get(d.key);
      if (!r) throw new Error(`no answer about ${d.jobDir} from the host`);
      if (r.alive) return { pgid: r.pgid };
    }
  }
  db.prepare("UPDATE abandoned_jobs SET confirmed_gone_at = ? WHERE job_id = ? AND confirmed_gone_at IS NULL").run(nowIso(now), a.jobId);
  addJobEvent(db, a.jobId, "abandoned-gone", "the abandoned job's process is confirmed gone: the drive can be tested again");
  return null;
}
