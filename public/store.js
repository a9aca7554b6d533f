// In-memory state of the dashboard: hosts, drives and job snapshots by id, plus change listeners.
// Views subscribe and patch their own DOM; nothing here touches the DOM.

import { ACTIVE_STATUSES } from "./labels.js";

export const hosts = new Map();
export const drives = new Map();
export const jobs = new Map();

const listeners = new Set();

/** fn(kind, item) with kind "host" | "drive" | "drive-removed" | "job" */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function notify(kind, item) {
  for (const fn of listeners) fn(kind, item);
}

export function putHost(host) {
  if (host?.id == null) return;
  if (host.removed) return dropHost(host.id);
  const merged = { ...hosts.get(host.id), ...host };
  hosts.set(host.id, merged);
  notify("host", merged);
}

/** A removed host goes, with its drives. */
export function dropHost(id) {
  const host = hosts.get(id);
  if (!host) return;
  hosts.delete(id);
  for (const [driveId, d] of drives) {
    if (d.hostId !== id) continue;
    drives.delete(driveId);
    notify("drive-removed", d);
  }
  notify("host", { ...host, removed: true });
}

export function putDrive(drive) {
  if (drive?.id == null) return;
  const merged = { ...drives.get(drive.id), ...drive };
  if (!merged.hostName) merged.hostName = hosts.get(merged.hostId)?.name ?? "";
  drives.set(drive.id, merged);
  notify("drive", merged);
}

/**
 * Replaces every drive with a fresh list (GET /api/v1/drives), each with the job its row shows, without
 * a notification per drive: the caller renders once.
 */
export function loadDrives(list) {
  const seen = new Set(list.map((d) => d.id));
  for (const id of [...drives.keys()]) if (!seen.has(id)) drives.delete(id);
  for (const { job, ...drive } of list) {
    const merged = { ...drives.get(drive.id), ...drive };
    if (!merged.hostName) merged.hostName = hosts.get(merged.hostId)?.name ?? "";
    drives.set(drive.id, merged);
    if (job?.id != null) jobs.set(job.id, { ...jobs.get(job.id), ...job });
  }
}

/** Replaces one host's drives with a fresh scan result, dropping drives that are gone. */
export function replaceHostDrives(hostId, list) {
  const seen = new Set(list.map((d) => d.id));
  for (const [id, d] of drives) {
    if (d.hostId === hostId && !seen.has(id)) {
      drives.delete(id);
      notify("drive-removed", d);
    }
  }
  for (const d of list) putDrive(d);
}

export function putJob(job) {
  if (job?.id == null) return;
  const prev = jobs.get(job.id);
  jobs.set(job.id, prev ? { ...prev, ...job } : job);
  const drive = drives.get(job.driveId);
  if (drive) {
    // Keep the drive's job pointers consistent with the newest snapshot we have seen.
    let { activeJobId = null, lastJobId = null } = drive;
    if (ACTIVE_STATUSES.has(job.status)) {
      if (activeJobId == null || job.id >= activeJobId) activeJobId = job.id;
    } else if (activeJobId === job.id) {
      activeJobId = null;
    }
    if (lastJobId == null || job.id > lastJobId) lastJobId = job.id;
    if (activeJobId !== drive.activeJobId || lastJobId !== drive.lastJobId) {
      drives.set(drive.id, { ...drive, activeJobId, lastJobId });
      notify("drive", drives.get(drive.id));
    }
  }
  notify("job", jobs.get(job.id));
}

/** The job a drive's row and drawer show: the active one, else the last one. */
export function jobIdForDrive(drive) {
  return drive?.activeJobId ?? drive?.lastJobId ?? null;
}

export function jobForDrive(drive) {
  const id = jobIdForDrive(drive);
  return id == null ? null : (jobs.get(id) ?? null);
}

export function isBusy(drive) {
  if (!drive) return true;
  if (drive.activeJobId != null) return true;
  const job = jobForDrive(drive);
  return job != null && ACTIVE_STATUSES.has(job.status);
}

/** A drive can be burned in when nothing uses it and no job is running on it. */
export function canStart(drive) {
  return drive != null && !drive.inUse && !isBusy(drive);
}
