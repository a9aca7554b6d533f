// The short form of Kiln's notifications, for phones and chat: a title, a few lines of text, and the
// event's facts as plain data (the JSON webhook's body). Pure: built from the same facts as the e-mail.
import { formatBytes } from "../../reports/format.js";
import type { AttentionFacts, BatchFacts, DriveFacts, JobFacts } from "../messages.js";

export type PushEvent = "job-ended" | "batch-ended" | "attention" | "test";

/** The new-drive verdict (issue 12: new / used / tampered), when Kiln has one for the drive. */
export interface NewDriveFacts {
  verdict: string;
  evidence: string | null;
}

export interface PushJob {
  jobId: number;
  verdict: string;
  host: string;
  drive: DriveFacts;
  badBlocks: number;
  newDrive: NewDriveFacts | null;
  error: string | null;
  reportUrl: string;
}

/** The JSON webhook's body (README, "Alerts on a phone"); every push channel reads from it. */
export interface PushPayload {
  /** Stable across retries of one message: receivers can drop a repeat with it. */
  id: string;
  event: PushEvent;
  title: string;
  text: string;
  /** The report of a job, or the dashboard. */
  url: string | null;
  /** high: a failed or unknown verdict, or something needs attention. */
  priority: "normal" | "high";
  host: string | null;
  /** job-ended: the job's drive and verdict (also in jobs[0]); attention: its drive when known; else null. */
  drive: DriveFacts | null;
  verdict: string | null;
  /** job-ended: the job; batch-ended: one entry per job. */
  jobs: PushJob[];
  attention: { reason: string; detail: string } | null;
  at: string;
}

export interface ShortMessage {
  title: string;
  text: string;
  payload: PushPayload;
}

const WORRYING = new Set(["failed", "unknown"]);
const driveShort = (d: DriveFacts) => [d.model ?? "unknown model", d.serial].filter(Boolean).join(" ");
const driveLine = (d: DriveFacts) => `${driveShort(d)} (${d.devPath}, ${formatBytes(d.sizeBytes)})`;
const oneLine = (s: string, max = 200) => {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
};

function pushJobOf(job: JobFacts): PushJob {
  return {
    jobId: job.jobId, verdict: job.status, host: job.host, drive: job.drive, badBlocks: job.badBlockCount,
    newDrive: job.newDrive ?? null, error: job.errorText, reportUrl: job.reportUrl,
  };
}

function newDriveLine(n: NewDriveFacts | null): string[] {
  if (!n) return [];
  return [`New drive? ${n.verdict}${n.evidence ? `: ${oneLine(n.evidence, 120)}` : ""}`];
}

export function shortJobEnded(job: JobFacts, dedupeKey: string, at: string): ShortMessage {
  const p = pushJobOf(job);
  const title = `${job.status.toUpperCase()}: ${driveShort(job.drive)} on ${job.host}`;
  const text = [
    `Drive: ${driveLine(job.drive)}`,
    `Host: ${job.host}`,
    `Verdict: ${job.status.toUpperCase()}, ${job.badBlockCount} bad block${job.badBlockCount === 1 ? "" : "s"}`,
    ...newDriveLine(p.newDrive),
    ...(job.errorText ? [`Why: ${oneLine(job.errorText)}`] : []),
    `Report: ${job.reportUrl}`,
  ].join("\n");
  return {
    title, text,
    payload: {
      id: dedupeKey, event: "job-ended", title, text, url: job.reportUrl,
      priority: WORRYING.has(job.status) ? "high" : "normal", host: job.host, drive: job.drive, verdict: job.status,
      jobs: [p], attention: null, at,
    },
  };
}

export function shortBatchEnded(batch: BatchFacts, dedupeKey: string, at: string): ShortMessage {
  const counts = new Map<string, number>();
  for (const j of batch.jobs) counts.set(j.status, (counts.get(j.status) ?? 0) + 1);
  const summary = [...counts].map(([s, n]) => `${n} ${s}`).join(", ");
  const title = `Batch of ${batch.jobs.length} drives ended: ${summary}`;
  const lines = batch.jobs.map((j) =>
    `${j.status.toUpperCase()} ${driveShort(j.drive)} on ${j.host}, ${j.badBlockCount} bad${j.newDrive ? `, new drive? ${j.newDrive.verdict}` : ""}: ${j.reportUrl}`);
  const text = lines.join("\n");
  const hosts = [...new Set(batch.jobs.map((j) => j.host))];
  return {
    title, text,
    payload: {
      id: dedupeKey, event: "batch-ended", title, text, url: batch.jobs[0]?.reportUrl ?? null,
      priority: batch.jobs.some((j) => WORRYING.has(j.status)) ? "high" : "normal",
      host: hosts.length === 1 ? hosts[0]! : null, drive: null, verdict: null, jobs: batch.jobs.map(pushJobOf), attention: null, at,
    },
  };
}

const ATTENTION_TITLES: Record<string, string> = {
  "host-unreachable": "host unreachable",
  "temperature-pause": "job paused for temperature",
  "stuck-job": "job looks stuck",
};

export function shortAttention(a: AttentionFacts, dedupeKey: string, at: string): ShortMessage {
  const title = `Attention: ${ATTENTION_TITLES[a.reason] ?? a.reason} on ${a.host}`;
  const text = [
    ...(a.drive ? [`Drive: ${driveLine(a.drive)}`] : []),
    `Host: ${a.host}`,
    oneLine(a.detail, 300),
    ...(a.link ? [`Link: ${a.link}`] : []),
  ].join("\n");
  return {
    title, text,
    payload: {
      id: dedupeKey, event: "attention", title, text, url: a.link ?? null, priority: "high", host: a.host,
      drive: a.drive ?? null, verdict: null, jobs: [], attention: { reason: a.reason, detail: a.detail }, at,
    },
  };
}

export function shortTest(dashboardUrl: string, dedupeKey: string, at: string): ShortMessage {
  const title = "Kiln test message";
  const text = `This is a test from Kiln, sent at ${at}. Alerts reach you here.\nDashboard: ${dashboardUrl}`;
  return {
    title, text,
    payload: {
      id: dedupeKey, event: "test", title, text, url: dashboardUrl, priority: "normal", host: null, drive: null, verdict: null, jobs: [], attention: null, at,
    },
  };
}
