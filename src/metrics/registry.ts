// Prometheus metrics (prom-client), read from SQLite at each scrape: jobs by status, per-drive
// progress, temperature and bad blocks, host SSH reachability, and the e-mail outbox backlog when
// the outbox table exists; and Kiln's own process (memory, CPU, event-loop lag: prom-client's
// default metrics). Each Kiln gets its own Registry (no global state between instances).
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { Db } from "../db/open.js";
import { ACTIVE_JOB_STATUSES, JOB_STATUSES, sqlList } from "../status.js";
import { outboxBacklog } from "./outbox.js";

interface DriveSample {
  host: string;
  drive: string;
  serial: string | null;
  job_id: number | null;
  percent: number | null;
  temperature_c: number | null;
  bad_blocks: number | null;
}

const DRIVES_SQL = `
  SELECT h.name AS host, d.dev_name AS drive, d.serial, d.temperature_c,
         a.id AS job_id, a.percent,
         (SELECT bad_block_count FROM jobs l WHERE l.drive_id = d.id ORDER BY l.id DESC LIMIT 1) AS bad_blocks
    FROM drives d JOIN hosts h ON h.id = d.host_id
    LEFT JOIN jobs a ON a.drive_id = d.id AND a.status IN (${sqlList(ACTIVE_JOB_STATUSES)})
   WHERE d.present = 1`;

export function createMetrics(db: Db): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const drives = (): DriveSample[] => db.prepare(DRIVES_SQL).all() as DriveSample[];
  const labels = (d: DriveSample) => ({ host: d.host, drive: d.drive, serial: d.serial ?? "" });

  new Gauge({
    name: "kiln_jobs", help: "Burn-in jobs by status", labelNames: ["status"], registers: [registry],
    collect() {
      const rows = db.prepare("SELECT status, count(*) AS n FROM jobs GROUP BY status").all() as { status: string; n: number }[];
      for (const s of JOB_STATUSES) this.set({ status: s }, rows.find((r) => r.status === s)?.n ?? 0);
    },
  });
  new Gauge({
    name: "kiln_drive_progress_percent", help: "Progress of the active burn-in of a drive, 0-100",
    labelNames: ["host", "drive", "serial", "job"], registers: [registry],
    collect() {
      this.reset();
      for (const d of drives()) if (d.job_id !== null) this.set({ ...labels(d), job: String(d.job_id) }, d.percent ?? 0);
    },
  });
  /** A gauge per present drive, for the drives that have a value. */
  const driveGauge = (name: string, help: string, value: (d: DriveSample) => number | null) =>
    new Gauge({
      name, help, labelNames: ["host", "drive", "serial"], registers: [registry],
      collect() {
        this.reset();
        for (const d of drives()) {
          const v = value(d);
          if (v !== null) this.set(labels(d), v);
        }
      },
    });
  driveGauge("kiln_drive_temperature_celsius", "Last temperature read from a drive", (d) => d.temperature_c);
  driveGauge("kiln_drive_bad_blocks", "Bad blocks found by the drive's latest burn-in", (d) => d.bad_blocks);
  new Gauge({
    name: "kiln_host_ssh_reachable", help: "1 when Kiln last reached the host over SSH with its pinned key, else 0",
    labelNames: ["host", "status"], registers: [registry],
    collect() {
      this.reset();
      const hosts = db.prepare("SELECT name, status FROM hosts WHERE removed_at IS NULL").all() as { name: string; status: string }[];
      for (const h of hosts) this.set({ host: h.name, status: h.status }, h.status === "online" ? 1 : 0);
    },
  });
  if (outboxBacklog(db) !== null) {
    new Gauge({
      name: "kiln_outbox_backlog", help: "E-mail messages recorded but not yet sent", registers: [registry],
      collect() {
        this.set(outboxBacklog(db) ?? 0);
      },
    });
  }
  return registry;
}
