// Drives table: one row per drive, keyed by id and patched in place on live events.

import { $, h, setAttr, setText, setWidth, show } from "./dom.js";
import { driveKind, formatTemp, jobStatusLabel, stageLabel, tempLevel } from "./labels.js";
import { formatBytes, formatEta } from "./meters.js";
import { canStart, drives, jobForDrive } from "./store.js";

const tbody = () => $("#drive-rows");
export const selected = new Set();

/** Each drive's row and the elements a patch writes to, so a patch never searches the DOM. */
const rows = new Map();

function cell(label, name, ...children) {
  return h("td", { "data-label": label, "data-cell": name }, ...children);
}

function buildRow(drive) {
  const id = drive.id;
  const el = {
    select: h("input", { type: "checkbox", "data-select": "", "data-drive-id": id, "aria-label": `Select ${drive.devName}` }),
    devName: h("button", { type: "button", class: "link-button dev-name", "data-action": "open", "data-drive-id": id }),
    devPath: h("small", { class: "mono dev-path", "data-dev-path": "" }),
    host: cell("Host", "host"),
    serial: cell("Serial", "serial"),
    model: h("span", { "data-model": "" }),
    kind: h("small", { class: "muted", "data-kind": "" }),
    size: cell("Size", "size"),
    temp: cell("Temp", "temp"),
    badge: h("span", { class: "badge", "data-row-status": "" }),
    inUse: h("span", { class: "badge badge-muted in-use", "data-in-use": "", hidden: true }),
    newDrive: h("span", { class: "badge nd-badge", "data-new-drive": "", hidden: true }),
    stageNow: h("small", { class: "muted stage-now", "data-stage-now": "" }),
    fill: h("span", { class: "mini-fill", "data-mini-fill": "" }),
    pct: h("span", { class: "pct", "data-pct": "" }),
    eta: cell("ETA", "eta"),
    start: h("button", { type: "button", class: "btn btn-small", "data-action": "start", "data-drive-id": id, text: "Burn in…" }),
  };
  el.progress = cell("Progress", "progress", h("span", { class: "mini-bar", "aria-hidden": "true" }, el.fill), el.pct);
  el.tr = h("tr", { class: "drive-row", "data-drive-id": id },
    h("td", { class: "cell-select" }, el.select),
    el.host,
    cell("Device", "device", el.devName, el.devPath),
    el.serial,
    cell("Model", "model", el.model, el.kind),
    el.size,
    el.temp,
    cell("Status", "status", el.badge, el.inUse, el.newDrive, el.stageNow),
    el.progress,
    el.eta,
    h("td", { class: "cell-actions" }, el.start));
  return el;
}

function patchRow(el, drive) {
  const job = jobForDrive(drive);
  const free = canStart(drive);
  setText(el.host, drive.hostName ?? "");
  setText(el.devName, drive.devName ?? drive.devPath ?? drive.path);
  setAttr(el.devName, "aria-label", `Details of ${drive.devName} on ${drive.hostName ?? "host"}`);
  const byId = drive.path && drive.path !== drive.devPath ? drive.path : "";
  setText(el.devPath, byId.replace(/^\/dev\/disk\/by-id\//, ""));
  setAttr(el.devPath, "title", byId || null);
  setText(el.serial, drive.serial || "—");
  setText(el.model, drive.model || "—");
  setText(el.kind, driveKind(drive));
  setText(el.size, formatBytes(drive.sizeBytes));
  const temp = job?.temperatureC ?? drive.temperatureC;
  setText(el.temp, formatTemp(temp));
  setAttr(el.temp, "data-level", tempLevel(temp) || null);

  const status = job?.status ?? (drive.inUse ? "" : "idle");
  setText(el.badge, job ? jobStatusLabel(job.status) : status ? "Ready" : "");
  setAttr(el.badge, "data-row-status", status);
  show(el.badge, Boolean(status));
  setText(el.inUse, drive.inUse ? `in use: ${drive.inUse.reason}` : "");
  setAttr(el.inUse, "title", drive.inUse ? `in use: ${drive.inUse.reason}` : null);
  show(el.inUse, Boolean(drive.inUse));
  const verdict = job?.newDrive ?? null;
  setText(el.newDrive, verdict ? (verdict.status === "unknown" ? "new? unknown" : verdict.status) : "");
  setAttr(el.newDrive, "data-nd", verdict?.status ?? null);
  setAttr(el.newDrive, "title", verdict ? `New drive? ${verdict.text}` : null);
  show(el.newDrive, Boolean(verdict));
  const runningStage = job?.stages?.find((s) => s.status === "running");
  setText(el.stageNow, runningStage && job.status !== "passed" ? stageLabel(runningStage.name) : "");

  const pct = job ? Number(job.percent) || 0 : 0;
  setWidth(el.fill, pct);
  setText(el.pct, job ? `${Math.floor(pct)}%` : "—");
  setAttr(el.progress, "data-status", job?.status ?? null);
  setText(el.eta, job && job.status === "running" ? formatEta(job.etaSeconds, job.percent) || "—" : "—");

  el.start.disabled = !free;
  setAttr(el.start, "title", free ? null : drive.inUse ? `In use: ${drive.inUse.reason}` : "A burn-in is already queued or running");
  el.select.disabled = !free;
  if (!free && selected.delete(drive.id)) el.select.checked = false;
  el.tr.classList.toggle("is-in-use", Boolean(drive.inUse));
  el.tr.classList.toggle("is-selected", selected.has(drive.id));
}

function sortKey(d) {
  return `${d.hostName ?? ""}\u0000${d.devName ?? ""}`;
}

/** One collator for every comparison: localeCompare with options builds a new one per call (600 rows: ~5,500 calls). */
const byName = new Intl.Collator(undefined, { numeric: true });

/**
 * Builds the rows of new drives, patches all, puts them in order and drops rows of drives that are
 * gone. The first load builds and patches every row off the document and inserts them at once, so
 * the browser lays the table out once.
 */
export function renderDrives() {
  const body = tbody();
  const sorted = [...drives.values()].map((d) => ({ d, key: sortKey(d) })).sort((a, b) => byName.compare(a.key, b.key)).map((x) => x.d);
  for (const [id, el] of rows) {
    if (drives.has(id)) continue;
    el.tr.remove();
    rows.delete(id);
  }
  const fragment = rows.size === 0 ? document.createDocumentFragment() : null;
  let next = body.firstElementChild;
  for (const drive of sorted) {
    let el = rows.get(drive.id);
    if (!el) {
      el = buildRow(drive);
      rows.set(drive.id, el);
    }
    patchRow(el, drive);
    if (fragment) fragment.append(el.tr);
    else if (el.tr === next) next = next.nextElementSibling;
    else body.insertBefore(el.tr, next);
  }
  if (fragment) body.append(fragment);
  show($("#drives-empty"), drives.size === 0);
  show($("#drives-table"), drives.size > 0);
  $("#drives-loading")?.remove();
  renderSummary();
}

/** Patches the rows of these drives (live events, once per animation frame); builds the table if one is new. */
export function updateDriveRows(list) {
  for (const drive of list) {
    const el = rows.get(drive.id);
    if (!el) return renderDrives();
    patchRow(el, drive);
  }
  renderSummary();
}

function renderSummary() {
  const all = [...drives.values()];
  const running = all.filter((d) => jobForDrive(d)?.status === "running").length;
  const inUse = all.filter((d) => d.inUse).length;
  const parts = [`${all.length} drive${all.length === 1 ? "" : "s"}`];
  if (running) parts.push(`${running} burning in`);
  if (inUse) parts.push(`${inUse} in use`);
  setText($("[data-drive-summary]"), parts.join(" · "));
  const button = $("#start-selected");
  button.disabled = selected.size === 0;
  setText(button, selected.size > 1 ? `Burn in ${selected.size} drives…` : "Burn in selected…");
}

/** handlers: { open(driveId, fromEl), start(driveIds, fromEl) } */
export function initDrives(handlers) {
  const body = tbody();
  const idOf = (el) => {
    const raw = el.closest("[data-drive-id]")?.dataset.driveId;
    return drives.has(Number(raw)) ? Number(raw) : raw;
  };
  body.addEventListener("click", (event) => {
    const target = event.target;
    const action = target.closest("[data-action]");
    if (action?.dataset.action === "start") return handlers.start([idOf(action)], action);
    if (action?.dataset.action === "open") return handlers.open(idOf(action), action);
    if (target.closest("input, button, a, label, .cell-select")) return;
    const tr = target.closest("tr[data-drive-id]");
    if (tr) handlers.open(idOf(tr), $(".dev-name", tr));
  });
  body.addEventListener("change", (event) => {
    const box = event.target.closest("[data-select]");
    if (!box) return;
    const id = idOf(box);
    if (box.checked) selected.add(id);
    else selected.delete(id);
    box.closest("tr")?.classList.toggle("is-selected", box.checked);
    renderSummary();
  });
  $("#start-selected").addEventListener("click", (event) => handlers.start([...selected], event.currentTarget));
}

export function clearSelection() {
  selected.clear();
  for (const el of rows.values()) el.select.checked = false;
  renderDrives();
}
