// Drives table: one row per drive, keyed by id and patched in place on live events.

import { $, h, setAttr, setText, setWidth, show } from "./dom.js";
import { driveKind, formatTemp, jobStatusLabel, stageLabel, tempLevel } from "./labels.js";
import { formatBytes, formatEta } from "./meters.js";
import { canStart, drives, jobForDrive } from "./store.js";

const tbody = () => $("#drive-rows");
export const selected = new Set();

function rowFor(id) {
  return tbody().querySelector(`tr[data-drive-id="${CSS.escape(String(id))}"]`);
}

function cell(label, name, ...children) {
  return h("td", { "data-label": label, "data-cell": name }, ...children);
}

function buildRow(drive) {
  const id = drive.id;
  return h("tr", { class: "drive-row", "data-drive-id": id },
    h("td", { class: "cell-select" },
      h("input", { type: "checkbox", "data-select": "", "data-drive-id": id, "aria-label": `Select ${drive.devName}` })),
    cell("Host", "host"),
    cell("Device", "device",
      h("button", { type: "button", class: "link-button dev-name", "data-action": "open", "data-drive-id": id }),
      h("small", { class: "mono dev-path", "data-dev-path": "" })),
    cell("Serial", "serial"),
    cell("Model", "model", h("span", { "data-model": "" }), h("small", { class: "muted", "data-kind": "" })),
    cell("Size", "size"),
    cell("Temp", "temp"),
    cell("Status", "status",
      h("span", { class: "badge", "data-row-status": "" }),
      h("span", { class: "badge badge-muted in-use", "data-in-use": "", hidden: true }),
      h("span", { class: "badge nd-badge", "data-new-drive": "", hidden: true }),
      h("small", { class: "muted stage-now", "data-stage-now": "" })),
    cell("Progress", "progress",
      h("span", { class: "mini-bar", "aria-hidden": "true" }, h("span", { class: "mini-fill", "data-mini-fill": "" })),
      h("span", { class: "pct", "data-pct": "" })),
    cell("ETA", "eta"),
    h("td", { class: "cell-actions" },
      h("button", { type: "button", class: "btn btn-small", "data-action": "start", "data-drive-id": id, text: "Burn in…" })));
}

const c = (tr, name) => tr.querySelector(`[data-cell="${name}"]`);

function patchRow(tr, drive) {
  const job = jobForDrive(drive);
  const free = canStart(drive);
  setText(c(tr, "host"), drive.hostName ?? "");
  setText($(".dev-name", tr), drive.devName ?? drive.devPath ?? drive.path);
  setAttr($(".dev-name", tr), "aria-label", `Details of ${drive.devName} on ${drive.hostName ?? "host"}`);
  const byId = drive.path && drive.path !== drive.devPath ? drive.path : "";
  setText($("[data-dev-path]", tr), byId.replace(/^\/dev\/disk\/by-id\//, ""));
  setAttr($("[data-dev-path]", tr), "title", byId || null);
  setText(c(tr, "serial"), drive.serial || "—");
  setText($("[data-model]", tr), drive.model || "—");
  setText($("[data-kind]", tr), driveKind(drive));
  setText(c(tr, "size"), formatBytes(drive.sizeBytes));
  const temp = job?.temperatureC ?? drive.temperatureC;
  setText(c(tr, "temp"), formatTemp(temp));
  setAttr(c(tr, "temp"), "data-level", tempLevel(temp) || null);

  const badge = $("[data-row-status]", tr);
  const status = job?.status ?? (drive.inUse ? "" : "idle");
  setText(badge, job ? jobStatusLabel(job.status) : status ? "Ready" : "");
  setAttr(badge, "data-row-status", status);
  show(badge, Boolean(status));
  const inUse = $("[data-in-use]", tr);
  setText(inUse, drive.inUse ? `in use: ${drive.inUse.reason}` : "");
  setAttr(inUse, "title", drive.inUse ? `in use: ${drive.inUse.reason}` : null);
  show(inUse, Boolean(drive.inUse));
  const nd = $("[data-new-drive]", tr);
  const verdict = job?.newDrive ?? null;
  setText(nd, verdict ? (verdict.status === "unknown" ? "new? unknown" : verdict.status) : "");
  setAttr(nd, "data-nd", verdict?.status ?? null);
  setAttr(nd, "title", verdict ? `New drive? ${verdict.text}` : null);
  show(nd, Boolean(verdict));
  const runningStage = job?.stages?.find((s) => s.status === "running");
  setText($("[data-stage-now]", tr), runningStage && job.status !== "passed" ? stageLabel(runningStage.name) : "");

  const pct = job ? Number(job.percent) || 0 : 0;
  setWidth($("[data-mini-fill]", tr), pct);
  setText($("[data-pct]", tr), job ? `${Math.floor(pct)}%` : "—");
  setAttr(c(tr, "progress"), "data-status", job?.status ?? null);
  setText(c(tr, "eta"), job && job.status === "running" ? formatEta(job.etaSeconds, job.percent) || "—" : "—");

  const start = $("[data-action=start]", tr);
  start.disabled = !free;
  setAttr(start, "title", free ? null : drive.inUse ? `In use: ${drive.inUse.reason}` : "A burn-in is already queued or running");
  const box = $("[data-select]", tr);
  box.disabled = !free;
  if (!free && selected.delete(drive.id)) box.checked = false;
  tr.classList.toggle("is-in-use", Boolean(drive.inUse));
  tr.classList.toggle("is-selected", selected.has(drive.id));
}

function sortKey(d) {
  return `${d.hostName ?? ""}\u0000${d.devName ?? ""}`;
}

/** Inserts missing rows in order, patches all, drops rows of drives that are gone. */
export function renderDrives() {
  const body = tbody();
  const sorted = [...drives.values()].sort((a, b) => sortKey(a).localeCompare(sortKey(b), undefined, { numeric: true }));
  sorted.forEach((drive, i) => {
    const tr = rowFor(drive.id) ?? buildRow(drive);
    patchRow(tr, drive);
    if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] ?? null);
  });
  while (body.children.length > sorted.length) body.lastElementChild.remove();
  show($("#drives-empty"), drives.size === 0);
  show($("#drives-table"), drives.size > 0);
  $("#drives-loading")?.remove();
  renderSummary();
}

/** Patches one row (live event); builds the table if the drive is new. */
export function updateDriveRow(drive) {
  const tr = rowFor(drive.id);
  if (!tr) return renderDrives();
  patchRow(tr, drive);
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
  for (const box of tbody().querySelectorAll("[data-select]")) box.checked = false;
  renderDrives();
}
