// What the settings page shows of storage: the database, each host's job directories, the settings.
import { formatBytes, formatTime } from "../reports/format.js";
import type { DbUsage } from "./repo.js";
import type { HostUsage, RetentionOptions } from "./sweeper.js";

export interface StorageView {
  database: string;
  rows: { jobs: number; samples: number; events: number; bytesPerJob: string };
  hosts: { name: string; size: string; dirs: number; measured: string }[];
  jobDirs: string;
  samples: string;
}

export function storageView(u: { db: DbUsage; hosts: HostUsage[]; options: RetentionOptions }): StorageView {
  const total = u.db.fileBytes + u.db.walBytes;
  return {
    database: `${formatBytes(total)} (file ${formatBytes(u.db.fileBytes)}, write-ahead log ${formatBytes(u.db.walBytes)})`,
    rows: { jobs: u.db.jobs, samples: u.db.samples, events: u.db.events, bytesPerJob: u.db.jobs ? formatBytes(Math.round(total / u.db.jobs)) : "—" },
    hosts: u.hosts.map((h) => ({ name: h.name, size: formatBytes(h.kib * 1024), dirs: h.dirs, measured: formatTime(h.at) })),
    jobDirs: u.options.jobDirDays > 0 ? `removed ${u.options.jobDirDays} days after the job ended` : "kept forever (KILN_RETAIN_JOB_DIRS_DAYS=0)",
    samples: u.options.thinSamplesDays > 0 ? `thinned to one per 10 minutes ${u.options.thinSamplesDays} days after the job ended` : "kept in full (KILN_THIN_SAMPLES_DAYS=0)",
  };
}
