// Drive drawer: identity, the job's stages, vitals, pattern meters, bad blocks, notes and log tail.
// Opened from a table row, patched in place by live events, closed with Esc or its button.

import { get } from "./api.js";
import { $, h, setAttr, setText, setWidth, show, showMessage } from "./dom.js";
import { ACTIVE_STATUSES, driveKind, formatTemp, formatTime, jobStatusLabel, stageLabel, tempLevel } from "./labels.js";
import { caption, formatBytes, formatDuration, formatEta } from "./meters.js";
import { renderMeters } from "./meters-view.js";
import { renderJobDetails } from "./drawer-details.js";
import { renderGuard, renderResumes, renderSmart } from "./drawer-smart.js";
import { renderVerdicts } from "./drawer-verdicts.js";
import { startCharts, stopCharts, updateCharts } from "./drawer-charts.js";
import { canStart, drives, hosts, jobForDrive, jobIdForDrive, jobs, putJob } from "./store.js";
import { openCancelDialog } from "./cancel-dialog.js";
import { openActDialog } from "./act-dialog.js";

let driveId = null;
let opener = null;
let ticker = null;
let onStart = () => {};

const drawer = () => $("#drawer");
const part = (name) => drawer().querySelector(`[data-d="${name}"]`);

export function drawerDriveId() {
  return driveId;
}

export function openDrawer(id, from) {
  if (!drives.has(id)) return;
  driveId = id;
  opener = from ?? document.activeElement;
  const el = drawer();
  el.dataset.driveId = String(id);
  markRow(id);
  el.classList.add("open");
  document.body.classList.add("drawer-open");
  render();
  $("#drawer-title").focus();
  clearInterval(ticker);
  ticker = setInterval(renderClock, 1000);
  startCharts(el, () => jobForDrive(drives.get(driveId)));
  loadJob(id);
}

export function closeDrawer() {
  if (driveId == null) return;
  const el = drawer();
  el.classList.remove("open");
  document.body.classList.remove("drawer-open");
  clearInterval(ticker);
  ticker = null;
  stopCharts();
  const row = document.querySelector(`tr[data-drive-id="${CSS.escape(String(driveId))}"] .dev-name`);
  driveId = null;
  el.dataset.driveId = "";
  markRow(null);
  const target = opener?.isConnected ? opener : row;
  target?.focus();
  opener = null;
}

function markRow(id) {
  for (const tr of document.querySelectorAll("tr.is-open")) tr.classList.remove("is-open");
  if (id != null) document.querySelector(`tr[data-drive-id="${CSS.escape(String(id))}"]`)?.classList.add("is-open");
}

/** Fetches the full snapshot (log tail, notes) of the drive's job, or finds its newest job. */
async function loadJob(id) {
  const drive = drives.get(id);
  const jobId = jobIdForDrive(drive);
  const res = jobId != null
    ? await get(`/api/v1/jobs/${encodeURIComponent(jobId)}`)
    : await get(`/api/v1/jobs?driveId=${encodeURIComponent(id)}`);
  if (!res.ok || driveId !== id) return;
  const job = Array.isArray(res.data) ? res.data[0] : res.data;
  if (job) putJob(job);
}

function renderIdentity(drive) {
  setText(part("host"), drive.hostName ?? "");
  setText($("#drawer-title"), drive.devName ?? drive.devPath);
  setText(part("path"), drive.path ?? drive.devPath ?? "");
  const rows = [
    ["Model", drive.model], ["Serial", drive.serial], ["Size", formatBytes(drive.sizeBytes)],
    ["Type", [driveKind(drive), drive.transport].filter(Boolean).join(" · ")],
    ["Firmware", drive.firmware], ["WWN", drive.wwn],
    ["SMART", drive.smartAvailable === false ? "not available" : ""],
  ].filter(([, v]) => v);
  const dl = part("ident");
  const key = JSON.stringify(rows);
  if (dl.dataset.key !== key) {
    dl.replaceChildren(...rows.flatMap(([k, v]) => [h("dt", { text: k }), h("dd", { class: k === "Serial" || k === "WWN" ? "mono" : "", text: v })]));
    dl.dataset.key = key;
  }
  const inUse = part("in-use");
  showMessage(inUse, drive.inUse ? `In use: ${drive.inUse.reason}. Kiln will not burn in a disk that is in use.` : "");
}

function renderStages(job) {
  const ol = part("stages");
  const stages = job.stages ?? [];
  const key = stages.map((s) => s.name).join(",");
  if (ol.dataset.key !== key) {
    ol.replaceChildren(...stages.map((s) => h("li", { class: "stage", "data-stage": s.name },
      h("span", { class: "stage-dot", "aria-hidden": "true" }),
      h("span", { class: "stage-name", text: stageLabel(s.name) }),
      h("span", { class: "stage-pct", "data-stage-pct": "" }),
      h("span", { class: "badge badge-small", "data-stage-status": "" }),
      h("p", { class: "stage-error", "data-stage-error": "", hidden: true }))));
    ol.dataset.key = key;
  }
  stages.forEach((s, i) => {
    const li = ol.children[i];
    setAttr(li, "data-status", s.status);
    setText(li.querySelector("[data-stage-status]"), s.status);
    setAttr(li.querySelector("[data-stage-status]"), "data-row-status", s.status);
    const pct = Number(s.percent);
    setText(li.querySelector("[data-stage-pct]"), s.status === "running" && Number.isFinite(pct) ? `${Math.floor(pct)}%` : "");
    showMessage(li.querySelector("[data-stage-error]"), s.errorText ?? "");
  });
}

function elapsedSeconds(job) {
  if (!job.startedAt) return null;
  const end = job.finishedAt ? new Date(job.finishedAt).getTime() : Date.now();
  return Math.max(0, (end - new Date(job.startedAt).getTime()) / 1000);
}

function renderClock() {
  const job = jobForDrive(drives.get(driveId));
  if (job) setText(drawer().querySelector('[data-vital="elapsed"]'), formatDuration(elapsedSeconds(job)));
}

function renderJob(drive, job) {
  setText(part("job-id"), `#${job.id}`);
  const status = $("[data-job-status]", drawer());
  setText(status, jobStatusLabel(job.status));
  setAttr(status, "data-job-status", job.status);
  const pct = Number(job.percent) || 0;
  setText(part("overall"), `${Math.floor(pct)}% overall`);
  setWidth(part("overall-fill"), pct);
  setAttr(part("overall-fill"), "data-status", job.status);
  setText(part("started"), job.startedAt ? `started ${formatTime(job.startedAt)}` : "not started yet");
  showMessage(part("job-error"), job.errorText ?? "");
  renderStages(job);

  const surface = job.surface ?? null;
  const temp = job.temperatureC ?? drive.temperatureC;
  const vital = (name) => drawer().querySelector(`[data-vital="${name}"]`);
  setText(vital("temp"), formatTemp(temp));
  setAttr(vital("temp"), "data-level", tempLevel(temp) || null);
  setText(vital("mbps"), job.status === "running" && surface?.mbps != null ? `${Number(surface.mbps).toFixed(0)} MB/s` : "—");
  setText(vital("eta"), ACTIVE_STATUSES.has(job.status) ? formatEta(job.etaSeconds, job.percent) || "—" : "—");
  renderClock();

  setText($("[data-caption]", drawer()), caption(surface));
  renderMeters(part("meters"), job);
  renderJobDetails(drawer(), job);
  renderGuard(drawer(), job, temp);
  renderResumes(drawer(), job);
  renderSmart(drawer(), job);
  renderVerdicts(drawer(), job);
  updateCharts(drawer(), job);
}

function renderFooter(drive, job) {
  const active = job != null && ACTIVE_STATUSES.has(job.status);
  // A running job whose host does not answer cannot be cancelled there: it can be abandoned.
  const hostDown = hosts.get(drive.hostId)?.status !== "online";
  show($("[data-action=cancel-job]", drawer()), active);
  show($("[data-action=abandon-job]", drawer()), active && job.status !== "queued" && hostDown);
  show($("[data-action=drawer-start]", drawer()), canStart(drive));
  const report = part("report");
  show(report, job != null && !active);
  if (job) setAttr(report, "href", `/api/v1/jobs/${encodeURIComponent(job.id)}/report?format=html`);
}

export function render() {
  if (driveId == null) return;
  const drive = drives.get(driveId);
  if (!drive) return closeDrawer();
  renderIdentity(drive);
  const job = jobForDrive(drive);
  show(part("job"), job != null);
  show(part("no-job"), job == null);
  if (job) renderJob(drive, job);
  else setAttr($("[data-job-status]", drawer()), "data-job-status", "");
  renderFooter(drive, job);
}

function confirmAbandon(job, drive, from) {
  openActDialog({
    title: `Abandon job ${job.id}?`,
    text: `${drive.hostName || "The host"} does not answer. The job ends as unknown now and its process there may still run: ` +
      `Kiln refuses ${drive.devName} until the host answers again and that process is gone.`,
    button: "Abandon job",
    method: "POST",
    path: `/api/v1/jobs/${encodeURIComponent(job.id)}/abandon`,
    done: (data) => putJob({ ...jobs.get(job.id), id: job.id, status: data?.status ?? "unknown", errorText: data?.errorText ?? null }),
  }, from);
}

/** handlers: { start(driveIds, fromEl) } */
export function initDrawer(handlers) {
  onStart = handlers.start ?? onStart;
  const el = drawer();
  el.addEventListener("click", (event) => {
    const action = event.target.closest("[data-action]")?.dataset.action;
    const drive = drives.get(driveId);
    if (action === "close-drawer") closeDrawer();
    if (action === "drawer-start" && drive) onStart([drive.id], event.target);
    if (action === "abandon-job" && drive) {
      const job = jobForDrive(drive);
      if (job) confirmAbandon(job, drive, event.target);
    }
    if (action === "cancel-job" && drive) {
      const job = jobForDrive(drive);
      if (job) openCancelDialog(jobs.get(job.id), drive, event.target);
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || driveId == null) return;
    if (document.querySelector("dialog[open]")) return;
    event.preventDefault();
    closeDrawer();
  });
}
