// What Kiln's notifications say: pure builders of subject, text and HTML from plain facts.
// No database, no clock: the facts (src/notify/facts.ts) carry everything, times included.
import { formatBytes } from "../reports/format.js";

export interface DriveFacts {
  model: string | null;
  serial: string | null;
  devPath: string;
  sizeBytes: number;
}

export interface SmartChangeFacts {
  name: string;
  before: number | string | null;
  after: number | string | null;
  worse: boolean;
  critical: boolean;
}

export interface JobFacts {
  jobId: number;
  status: string;
  host: string;
  drive: DriveFacts;
  startedAt: string | null;
  finishedAt: string | null;
  errorText: string | null;
  badBlockCount: number;
  badBlocks: number[];
  smartChanges: SmartChangeFacts[];
  reportUrl: string;
  /** The new-drive verdict from precheck (issue 12), when there is one; push messages show it. */
  newDrive?: { verdict: string; evidence: string | null } | null;
  /** The surface speed and how it compares with the batch's same-model drives, when timed. */
  speed?: { text: string; slow: boolean } | null;
}

export interface BatchFacts {
  batchId: string;
  jobs: JobFacts[];
}

export type AttentionReason = "host-unreachable" | "temperature-pause" | "stuck-job";

export interface AttentionFacts {
  reason: AttentionReason;
  host: string;
  /** One sentence for the operator: what is wrong and since when. */
  detail: string;
  drive?: DriveFacts;
  jobId?: number;
  link?: string;
}

export interface Message {
  subject: string;
  text: string;
  html: string;
}

const MAX_LISTED_BLOCKS = 50;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "unknown";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, "0")} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Decimal sizes, as drive vendors print them (the same as the printed report). */
export { formatBytes };

function durationOf(job: Pick<JobFacts, "startedAt" | "finishedAt">): string {
  if (!job.startedAt) return "never started";
  if (!job.finishedAt) return "unknown";
  return formatDuration(Date.parse(job.finishedAt) - Date.parse(job.startedAt));
}

const driveName = (d: DriveFacts) => `${d.model ?? "unknown model"} (serial ${d.serial ?? "none"}, ${d.devPath})`;

const verdictWord = (status: string) => status.toUpperCase();

function smartLines(changes: SmartChangeFacts[]): string[] {
  return changes.map((c) => `${c.name}: ${c.before ?? "?"} → ${c.after ?? "?"}${c.critical ? " (critical)" : c.worse ? " (worse)" : ""}`);
}

function blockList(job: JobFacts): string {
  if (job.badBlockCount === 0) return "0";
  const shown = job.badBlocks.slice(0, MAX_LISTED_BLOCKS).join(", ");
  const more = job.badBlockCount > MAX_LISTED_BLOCKS ? `, … (${job.badBlockCount} in all)` : "";
  return `${job.badBlockCount}: ${shown}${more}`;
}

const newDriveText = (n: NonNullable<JobFacts["newDrive"]>) => `${n.verdict}${n.evidence ? `: ${n.evidence}` : ""}`;

function jobFields(job: JobFacts): [string, string][] {
  return [
    ["Verdict", verdictWord(job.status)],
    ["Drive", driveName(job.drive)],
    ["Capacity", formatBytes(job.drive.sizeBytes)],
    ["Host", job.host],
    ["Bad blocks", blockList(job)],
    ["Duration", durationOf(job)],
    ...(job.errorText ? [["Error", job.errorText] as [string, string]] : []),
    ["SMART changes", job.smartChanges.length ? smartLines(job.smartChanges).join("; ") : "none"],
    ...(job.newDrive ? [["New drive?", newDriveText(job.newDrive)] as [string, string]] : []),
    ...(job.speed ? [["Speed", job.speed.text] as [string, string]] : []),
    ["Report", job.reportUrl],
  ];
}

function htmlPage(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body style="font-family:system-ui,sans-serif;font-size:14px">${body}</body></html>`;
}

function htmlTable(rows: [string, string][]): string {
  const tr = rows.map(([k, v]) => `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`);
  return `<table>${tr.join("")}</table>`;
}

export function jobEndedMessage(job: JobFacts): Message {
  const subject = `[Kiln] ${verdictWord(job.status)}: ${job.drive.model ?? job.drive.devPath} ${job.drive.serial ?? ""} on ${job.host}`.replace(/\s+/g, " ");
  const fields = jobFields(job);
  const text = [`Burn-in job ${job.jobId} ended: ${verdictWord(job.status)}.`, "", ...fields.map(([k, v]) => `${k}: ${v}`), ""].join("\n");
  const html = htmlPage(subject,
    `<h2>Burn-in job ${job.jobId}: ${escapeHtml(verdictWord(job.status))}</h2>${htmlTable(fields.slice(0, -1))}` +
    `<p><a href="${escapeHtml(job.reportUrl)}">Open the report</a></p>`);
  return { subject, text, html };
}

const BATCH_COLUMNS = ["Job", "Verdict", "Drive", "Host", "Bad blocks", "Duration", "Error", "New drive?", "Speed"];

function batchRow(j: JobFacts): string[] {
  return [String(j.jobId), verdictWord(j.status), driveName(j.drive), j.host, String(j.badBlockCount), durationOf(j), j.errorText ?? "",
    j.newDrive?.verdict ?? "", j.speed?.text ?? ""];
}

export function batchEndedMessage(batch: BatchFacts): Message {
  const counts = new Map<string, number>();
  for (const j of batch.jobs) counts.set(j.status, (counts.get(j.status) ?? 0) + 1);
  const summary = [...counts].map(([s, n]) => `${n} ${s}`).join(", ");
  const subject = `[Kiln] Batch of ${batch.jobs.length} drives ended: ${summary}`;
  const rows = batch.jobs.map(batchRow);
  const text = [
    `Every burn-in of batch ${batch.batchId} has ended (${summary}).`, "",
    BATCH_COLUMNS.join(" | "),
    ...rows.map((r) => r.join(" | ")), "",
    ...batch.jobs.map((j) => `Report of job ${j.jobId}: ${j.reportUrl}`), "",
  ].join("\n");
  const head = `<tr>${BATCH_COLUMNS.map((c) => `<th align="left" style="padding:2px 8px">${c}</th>`).join("")}</tr>`;
  const body = batch.jobs.map((j, i) =>
    `<tr>${rows[i]!.map((v, k) => `<td style="padding:2px 8px">${k === 0 ? `<a href="${escapeHtml(j.reportUrl)}">${v}</a>` : escapeHtml(v)}</td>`).join("")}</tr>`);
  const html = htmlPage(subject, `<h2>${escapeHtml(subject.replace("[Kiln] ", ""))}</h2><table>${head}${body.join("")}</table>`);
  return { subject, text, html };
}

const ATTENTION_TITLES: Record<AttentionReason, string> = {
  "host-unreachable": "host unreachable",
  "temperature-pause": "job paused for temperature",
  "stuck-job": "job looks stuck",
};

export function attentionMessage(a: AttentionFacts): Message {
  const subject = `[Kiln] Attention: ${ATTENTION_TITLES[a.reason]} on ${a.host}`;
  const fields: [string, string][] = [
    ["Host", a.host],
    ...(a.drive ? [["Drive", driveName(a.drive)] as [string, string]] : []),
    ...(a.jobId !== undefined ? [["Job", String(a.jobId)] as [string, string]] : []),
    ["What", a.detail],
    ...(a.link ? [["Link", a.link] as [string, string]] : []),
  ];
  const text = [`Kiln needs your attention: ${ATTENTION_TITLES[a.reason]}.`, "", ...fields.map(([k, v]) => `${k}: ${v}`), ""].join("\n");
  return { subject, text, html: htmlPage(subject, `<h2>${escapeHtml(subject.replace("[Kiln] ", ""))}</h2>${htmlTable(fields)}`) };
}

export function testMessage(nowIso: string, dashboardUrl: string): Message {
  const subject = "[Kiln] Test e-mail";
  const text = `This is a test e-mail from Kiln, sent at ${nowIso}.\nE-mail alerts reach you.\nDashboard: ${dashboardUrl}\n`;
  return { subject, text, html: htmlPage(subject, `<p>This is a test e-mail from Kiln, sent at ${escapeHtml(nowIso)}.</p><p>E-mail alerts reach you. <a href="${escapeHtml(dashboardUrl)}">Dashboard</a></p>`) };
}
