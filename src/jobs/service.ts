// Starting, cancelling and restarting burn-ins: the checks an operator expects from a tool that
// erases disks (typed confirmation, in-use refusal, one job per disk), then a row in the queue.
import { randomUUID } from "node:crypto";
import type { Db } from "../db/open.js";
import type { Logger } from "../log.js";
import type { EventHub } from "../events/hub.js";
import type { HostService } from "../hosts/service.js";
import { getHost } from "../hosts/repo.js";
import { driveView, getDrive, type DriveRow } from "../drives/repo.js";
import { validateDevicePath } from "../shell/quote.js";
import { buildBadblocksArgv } from "../badblocks/command.js";
import { validateSurfaceOptions, type SurfaceOptions } from "../stages/index.js";
import { DEFAULT_STAGES, withPrecheckFirst, type StageName } from "../stage-kit/plan.js";
import { Conflict, InvalidInputError, NotFound } from "../errors.js";
import { STARTED_JOB_STATUSES, isActive, isTerminal } from "../status.js";
import { activeJobForDrive, addJobEvent, endOpenStages, getJob, getStages, insertJobs, requestCancel, transitionJob, type JobRow } from "./repo.js";
import { deviceIdentity } from "../stage-kit/run-identity.js";
import type { HostVerbs } from "../hosts/verbs.js";
import { jobSnapshot } from "./snapshot.js";
import { abandonJob, abandonText, checkAbandonedGone, openAbandoned } from "./abandon.js";
import type { Runner } from "./runner.js";
import type { JobHooks } from "./hooks.js";

export interface StartRequest {
  driveIds: number[];
  confirm: string[];
  stages?: StageName[] | undefined;
  options?: SurfaceOptions | undefined;
}

export class JobService {
  constructor(
    private db: Db,
    private hosts: HostService,
    private runner: Runner,
    private hooks: JobHooks,
    private hub: EventHub,
    private log: Logger,
    private ports: { port(hostId: number): HostVerbs },
  ) {}

  private checkDrive(id: number, typed: string | undefined): DriveRow {
    const drive = getDrive(this.db, id);
    if (!drive || !drive.present) throw new NotFound(`no drive ${id}`);
    if (typed === undefined || typed.trim() !== drive.confirm_name) {
      throw new InvalidInputError(
        `confirmation for ${drive.dev_name} is missing or wrong: type its ${drive.serial ? "serial" : "device name"} "${drive.confirm_name}"`,
      );
    }
    const host = getHost(this.db, drive.host_id)!;
    if (host.status === "untrusted") throw new Conflict(`host ${host.name} is untrusted: its host key changed`);
    if (drive.in_use_reason) throw new Conflict(`${drive.dev_name} is in use: ${drive.in_use_reason}`);
    const active = activeJobForDrive(this.db, drive.id);
    if (active) throw new Conflict(`${drive.dev_name} is busy with job ${active.id} (${active.status})`);
    validateDevicePath(drive.path);
    return drive;
  }

  async start(req: StartRequest, who: string): Promise<{ id: number; driveId: number; status: string }[]> {
    if (req.driveIds.length === 0) throw new InvalidInputError("driveIds is empty");
    if (new Set(req.driveIds).size !== req.driveIds.length) throw new InvalidInputError("a drive is listed twice");
    if (req.confirm.length !== req.driveIds.length) {
      throw new InvalidInputError("confirm must hold one typed serial or device name per drive");
    }
    const plan = withPrecheckFirst(req.stages ?? DEFAULT_STAGES);
    if ("error" in plan) throw new InvalidInputError(plan.error);
    const stages = plan.stages;
    const options = validateSurfaceOptions(req.options ?? {});
    // Check with what we know, then re-read the chosen devices so their in-use reasons are fresh.
    req.driveIds.forEach((id, i) => this.checkDrive(id, req.confirm[i]));
    for (const id of req.driveIds) await this.checkAbandoned(id);
    const byHost = new Map<number, string[]>();
    for (const id of req.driveIds) {
      const d = getDrive(this.db, id)!;
      byHost.set(d.host_id, [...(byHost.get(d.host_id) ?? []), d.dev_name]);
    }
    for (const [hostId, names] of byHost) {
      const seen = new Set((await this.hosts.scan(hostId, names)).map((v) => v.id));
      for (const id of req.driveIds) {
        const d = getDrive(this.db, id)!;
        if (d.host_id === hostId && !seen.has(id)) {
          throw new Conflict(`${d.dev_name} no longer holds the drive ${d.confirm_name}: scan the host again`);
        }
      }
    }
    const drives = req.driveIds.map((id, i) => this.checkDrive(id, req.confirm[i]));
    // The options must suit every drive (block count in 32 bits, buffer size): refuse now, not at launch.
    if (stages.includes("surface_validate")) {
      for (const d of drives) {
        buildBadblocksArgv({ device: d.path, sizeBytes: d.size_bytes, ...options, outputFile: "badblocks.txt" });
      }
    }
    const batchId = randomUUID();
    let ids: number[];
    try {
      ids = insertJobs(
        this.db,
        drives.map((d) => ({
          driveId: d.id, hostId: d.host_id, devicePath: d.path, deviceIdentity: deviceIdentity(d), stages, options, createdBy: who, batchId,
        })),
      );
    } catch (err) {
      if (String(err).includes("UNIQUE constraint failed")) throw new Conflict("a drive is busy with another job");
      throw err;
    }
    for (const [i, id] of ids.entries()) {
      addJobEvent(this.db, id, "created", `queued by ${who}`);
      this.log.info({ jobId: id, driveId: drives[i]!.id, who }, "burn-in queued");
      this.publish(id);
    }
    this.runner.wake();
    return ids.map((id, i) => ({ id, driveId: drives[i]!.id, status: "queued" }));
  }

  async cancel(jobId: number, who: string): Promise<void> {
    const job = getJob(this.db, jobId);
    if (!job) throw new NotFound(`no job ${jobId}`);
    if (!isActive(job.status)) {
      throw new Conflict(`job ${jobId} has ended (${job.status})`);
    }
    requestCancel(this.db, jobId);
    addJobEvent(this.db, jobId, "cancel", `cancel requested by ${who}`);
    const queued = this.db.transaction(() => {
      const done = transitionJob(this.db, jobId, "cancelled", {
        errorText: `cancelled by ${who} before it started`, onlyFrom: ["queued"],
      });
      if (!done) return false;
      endOpenStages(this.db, jobId, ["pending"], "cancelled");
      this.hooks.runEnded(this.db, jobId, "cancelled");
      return true;
    }).immediate();
    if (!queued) {
      this.runner.cancel(jobId);
    }
    this.publish(jobId);
  }

  /** A drive with an abandoned job is refused until the host is reached and that process is seen gone. */
  private async checkAbandoned(driveId: number): Promise<void> {
    for (const a of openAbandoned(this.db, driveId)) {
      const host = getHost(this.db, a.hostId)!;
      const dev = getDrive(this.db, driveId)!.dev_name;
      let live;
      try {
        live = await checkAbandonedGone(this.db, this.hosts.registry, a);
      } catch (err) {
        throw new Conflict(`${dev}: job ${a.jobId} was abandoned and Kiln cannot yet confirm its process on ${host.name} is gone (${(err as Error).message})`, { permanent: false });
      }
      if (live) {
        throw new Conflict(`${dev}: the process of abandoned job ${a.jobId} still runs on ${host.name}${live.pgid ? ` (process group ${live.pgid}: kill -TERM -${live.pgid})` : ""}; stop it, then start again`, { permanent: false });
      }
      this.log.info({ jobId: a.jobId, driveId }, "abandoned job's process confirmed gone");
    }
  }

  /**
   * An admin gives up on a running job whose host is not reachable: it ends `unknown` at once, and
   * its drive is refused until the host answers again and the process is seen gone.
   */
  abandon(jobId: number, who: string): void {
    const job = getJob(this.db, jobId);
    if (!job) throw new NotFound(`no job ${jobId}`);
    if (job.status === "queued") throw new Conflict(`job ${jobId} is queued: cancel it instead`);
    if (!STARTED_JOB_STATUSES.includes(job.status)) throw new Conflict(`job ${jobId} has ended (${job.status})`);
    const host = getHost(this.db, job.host_id)!;
    if (host.status === "online") throw new Conflict(`${host.name} is reachable: cancel the job instead`);
    if (!abandonJob(this.db, this.hooks, { jobId, driveId: job.drive_id, hostId: host.id, hostName: host.name, who })) {
      throw new Conflict(`job ${jobId} has ended meanwhile`);
    }
    this.runner.abandon(jobId, abandonText(who, host.name));
    this.log.warn({ jobId, host: host.name, who }, "job abandoned");
    this.publish(jobId);
  }

  /** A new run of a finished job's drive and stages (the same checks as a start, confirmed by the old job). */
  async restart(jobId: number, who: string): Promise<number> {
    const job = getJob(this.db, jobId);
    if (!job) throw new NotFound(`no job ${jobId}`);
    if (job.status === "passed") throw new Conflict(`job ${jobId} passed; start a new burn-in instead`);
    if (!isTerminal(job.status)) {
      throw new Conflict(`job ${jobId} is still ${job.status}`);
    }
    const drive = getDrive(this.db, job.drive_id);
    if (!drive) throw new NotFound(`the drive of job ${jobId} is gone`);
    await this.refuseWhileItsProcessMayLive(job);
    const [started] = await this.start(
      {
        driveIds: [drive.id],
        confirm: [drive.confirm_name],
        stages: JSON.parse(job.stages_json) as StageName[],
        options: JSON.parse(job.options_json) as SurfaceOptions,
      },
      who,
    );
    this.db.prepare("UPDATE jobs SET restart_of = ? WHERE id = ?").run(jobId, started!.id);
    return started!.id;
  }

  /** A restart never races the old run: its processes must be known gone (the host answers for each run). */
  private async refuseWhileItsProcessMayLive(job: JobRow): Promise<void> {
    const runs = getStages(this.db, job.id).filter((s) => s.remote_dir);
    if (runs.length === 0) return;
    let reads;
    try {
      reads = await this.ports.port(job.host_id).read(
        runs.map((s) => ({ key: String(s.id), jobDir: s.remote_dir!, logOffset: s.log_offset, bbOffset: s.bb_offset, maxBytes: 1 })),
      );
    } catch (err) {
      throw new Conflict(`cannot confirm that job ${job.id}'s badblocks is gone (${(err as Error).message}): try again when the host answers`, { permanent: false });
    }
    for (const s of runs) {
      const r = reads.get(String(s.id));
      if (!r) throw new Conflict(`cannot confirm that job ${job.id}'s badblocks is gone: the host's answer was cut off`, { permanent: false });
      if (r.alive) {
        throw new Conflict(`job ${job.id}'s badblocks (process group ${r.pgid ?? "?"}) is still running on the host: wait for it to end`, { permanent: false });
      }
    }
  }

  publish(jobId: number): void {
    const snap = jobSnapshot(this.db, jobId);
    if (!snap) return;
    this.hub.publish("job", snap);
    const dv = driveView(this.db, snap.driveId);
    if (dv) this.hub.publish("drive", dv);
  }
}
