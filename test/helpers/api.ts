// Kiln's JSON API as the tests drive it: add a host, scan it, find a drive by its device path, start
// a burn-in, wait for a job. Works over any Kiln the tests start (in-process `startTestKiln`, child
// `kilnProcess`). Typed with the product's own answer types; a call that does not answer as it must
// throws with the answer, so a test reads as the steps it takes. Tests that assert a refusal call
// `k.api(...)` themselves and check the status.
import path from "node:path";
import type { CheckLine } from "../../src/hosts/check.js";
import type { DriveView } from "../../src/drives/repo.js";
import type { HostView } from "../../src/hosts/repo.js";
import type { JobSnapshot, StageSnapshot } from "../../src/jobs/snapshot.js";
import type { OutboxView } from "../../src/notify/outbox.js";
import { isTerminal, type JobStatus } from "../../src/status.js";
import { until } from "./wait.js";

export type { DriveView, HostView, JobSnapshot, OutboxView, StageSnapshot };

/** What every test Kiln offers: one JSON request with the bearer token. */
export interface KilnApi {
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

export interface AddedHost {
  id: number;
  name: string;
  hostKeyFingerprint: string;
  useSudo: boolean;
  checks: CheckLine[];
}

export interface HostOptions {
  name?: string;
  username?: string;
  workDir?: string;
  /** Loop devices count as drives (default true: the test host's disks are loop devices). */
  includeLoopDevices?: boolean;
  useSudo?: boolean;
}

export interface StartBody {
  stages?: string[];
  options?: Record<string, unknown>;
}

export interface StartedJob {
  id: number;
  driveId: number;
  status: JobStatus;
}

export const isTerminalJob = (j: { status: string }): boolean => isTerminal(j.status);

/** The answer's body when its status is `expected`; otherwise throws with what came back. */
export async function call<T>(k: KilnApi, method: string, path: string, body: unknown, expected: number): Promise<T> {
  const res = await k.api(method, path, body);
  if (res.status !== expected) throw new Error(`${method} ${path}: HTTP ${res.status}, expected ${expected}: ${JSON.stringify(res.body)}`);
  return res.body as T;
}

/** Adds the test host's sshd as root on 127.0.0.1 (201 expected). */
export function addHost(k: KilnApi, sshd: { port: number }, o: HostOptions = {}): Promise<AddedHost> {
  const body = { name: o.name ?? "test-host", address: "127.0.0.1", port: sshd.port, username: o.username ?? "root",
    workDir: o.workDir, includeLoopDevices: o.includeLoopDevices ?? true, useSudo: o.useSudo };
  return call<AddedHost>(k, "POST", "/api/v1/hosts", body, 201);
}


export const drives = (k: KilnApi): Promise<DriveView[]> => call<DriveView[]>(k, "GET", "/api/v1/drives", undefined, 200);
export const hosts = (k: KilnApi): Promise<HostView[]> => call<HostView[]>(k, "GET", "/api/v1/hosts", undefined, 200);

export async function host(k: KilnApi, id: number): Promise<HostView> {
  const h = (await hosts(k)).find((x) => x.id === id);
  if (!h) throw new Error(`no host ${id}`);
  return h;
}

/** A device as the tests name it: its path, or a test disk that has one. */
export type Device = string | { device: string };
const pathOf = (d: Device): string => (typeof d === "string" ? d : d.device);

/**
 * Re-reads the host's drives (200 expected). `only` limits the scan to those devices: a shared
 * machine may hold hundreds of other suites' loop devices, and probing them all takes minutes
 * under load.
 */
export function scan(k: KilnApi, hostId: number, only?: Device[]): Promise<DriveView[]> {
  const body = only?.length ? { devices: only.map((d) => path.basename(pathOf(d))) } : undefined;
  return call<DriveView[]>(k, "POST", `/api/v1/hosts/${hostId}/scan`, body, 200);
}

/**
 * The drive on `device` (another test file's loop devices show in a scan too, so a drive is found
 * by its path), from `list` (a scan's answer) or else from the drive list.
 */
export async function driveFor(k: KilnApi, device: Device, list?: DriveView[]): Promise<DriveView> {
  const d = (list ?? (await drives(k))).find((x) => x.devPath === pathOf(device));
  if (!d) throw new Error(`no drive for ${pathOf(device)}`);
  return d;
}

/** Adds the host, scans `devices` on it, and returns it with their drives, in that order. */
export async function hostWithDrives(k: KilnApi, sshd: { port: number }, devices: Device[], o: HostOptions = {}): Promise<{ host: AddedHost; drives: DriveView[] }> {
  const added = await addHost(k, sshd, o);
  const scanned = await scan(k, added.id, devices);
  return { host: added, drives: await Promise.all(devices.map((d) => driveFor(k, d, scanned))) };
}

/** The start request for `drives`, each confirmed by its own name. */
export function startRequest(list: DriveView[], body: StartBody = {}): Record<string, unknown> {
  return { driveIds: list.map((d) => d.id), confirm: list.map((d) => d.confirmName), ...body };
}

/** Starts one batch on the drives (202 expected); the jobs in drive order. */
export async function startJobs(k: KilnApi, on: DriveView | DriveView[], body: StartBody = {}): Promise<StartedJob[]> {
  const list = Array.isArray(on) ? on : [on];
  return (await call<{ jobs: StartedJob[] }>(k, "POST", "/api/v1/burnin/start", startRequest(list, body), 202)).jobs;
}

/** Starts one batch on the drives (202 expected); the job ids in drive order. */
export async function start(k: KilnApi, on: DriveView | DriveView[], body: StartBody = {}): Promise<number[]> {
  return (await startJobs(k, on, body)).map((j) => j.id);
}

/** Starts one job on the drive (202 expected); its id. */
export async function startOne(k: KilnApi, on: DriveView, body: StartBody = {}): Promise<number> {
  return (await start(k, on, body))[0]!;
}

export const job = (k: KilnApi, id: number): Promise<JobSnapshot> => call<JobSnapshot>(k, "GET", `/api/v1/jobs/${id}`, undefined, 200);

/** Jobs, newest first; `query` as the API takes it (e.g. `status=running`). */
export const jobs = (k: KilnApi, query = ""): Promise<JobSnapshot[]> =>
  call<JobSnapshot[]>(k, "GET", `/api/v1/jobs${query ? `?${query}` : ""}`, undefined, 200);

/** The job's stage of that name (throws when the job has none). */
export function stageOf(j: Pick<JobSnapshot, "id" | "stages">, name: string): StageSnapshot {
  const s = j.stages.find((x) => x.name === name);
  if (!s) throw new Error(`job ${j.id} has no stage ${name}: ${j.stages.map((x) => x.name).join(", ")}`);
  return s;
}

/** Cancels the job (202 expected). */
export async function cancel(k: KilnApi, id: number): Promise<void> {
  await call<unknown>(k, "POST", `/api/v1/jobs/${id}/cancel`, undefined, 202);
}

/** The outbox's newest rows (admin view). */
export const outbox = (k: KilnApi): Promise<{ enabled: boolean; rows: OutboxView[] }> =>
  call<{ enabled: boolean; rows: OutboxView[] }>(k, "GET", "/api/v1/outbox", undefined, 200);

/** The outbox row of one message, by its dedupe key (e.g. `job-ended:7`). */
export async function outboxRow(k: KilnApi, dedupeKey: string): Promise<OutboxView | undefined> {
  return (await outbox(k)).rows.find((r) => r.dedupeKey === dedupeKey);
}

/** Polls the job until `done` holds (by default: until it ended) and returns it. */
export function waitJob(k: KilnApi, id: number, done: (j: JobSnapshot) => boolean = isTerminalJob, timeoutMs = 180_000): Promise<JobSnapshot> {
  return until(`job ${id}`, () => job(k, id), { ok: done, timeoutMs, everyMs: 250 });
}
