// Drawer parts about the drive's health: the SMART before/after table with its verdict, the
// temperature guard (limit beside the temperature, paused banner) and the surface test's resumes.

import { h, setAttr, setText, show, showMessage } from "./dom.js";
import { formatTemp, formatTime } from "./labels.js";

const part = (root, name) => root.querySelector(`[data-d="${name}"]`);
const SMART_STAGES = new Set(["precheck", "final_check"]);

function cell(value) {
  return value == null || value === "" ? "—" : String(value);
}

function smartRow(r) {
  const cls = ["smart-row", r.changed ? "is-changed" : "", r.worse ? "is-worse" : ""].filter(Boolean).join(" ");
  const name = r.id != null ? `${r.name} (${r.id})` : r.name;
  return h("tr", { class: cls, "data-smart-key": r.key, "data-changed": r.changed ? "true" : null, "data-worse": r.worse ? "true" : null },
    h("th", { scope: "row", text: name }),
    h("td", { class: "num", text: cell(r.before) }),
    h("td", { class: "num", text: cell(r.after) }),
    h("td", { class: "smart-mark", text: r.worse ? "worse" : r.changed ? "changed" : "" }));
}

/** Why there is no table: SMART still to be read, not part of this run, or not readable at all. */
function emptyText(job) {
  const stages = Array.isArray(job.stages) ? job.stages : [];
  const smartStages = stages.filter((s) => SMART_STAGES.has(s.name));
  if (stages.length > 0 && smartStages.length === 0) return "SMART was not compared in this run: the verdict rests on the surface test.";
  const waiting = smartStages.some((s) => s.status === "pending" || s.status === "running");
  const readOnce = smartStages.some((s) => s.status === "passed" || s.status === "failed" || s.status === "skipped");
  if (waiting && !readOnce && (job.status === "queued" || job.status === "running")) return "SMART is read during the pre-check.";
  return "SMART not readable: the verdict rests on the surface test.";
}

export function renderSmart(root, job) {
  const smart = job.smart ?? { rows: [], verdict: null };
  const rows = Array.isArray(smart.rows) ? smart.rows : [];
  const table = root.querySelector("[data-smart-table]");
  const key = JSON.stringify(rows);
  if (table.dataset.key !== key) {
    root.querySelector("[data-smart-rows]").replaceChildren(...rows.map(smartRow));
    table.dataset.key = key;
  }
  show(table, rows.length > 0);
  showMessage(root.querySelector("[data-smart-empty]"), rows.length === 0 ? emptyText(job) : "");
  const when = [smart.beforeAt && `before ${formatTime(smart.beforeAt)}`, smart.afterAt && `after ${formatTime(smart.afterAt)}`];
  setText(part(root, "smart-when"), [smart.protocol?.toUpperCase(), ...when].filter(Boolean).join(" · "));
  const verdict = root.querySelector("[data-smart-verdict]");
  const text = smart.verdict?.text
    || (rows.length > 0 && !smart.afterAt ? "The after snapshot is taken in the final check." : "");
  showMessage(verdict, text);
  setAttr(verdict, "data-verdict", smart.verdict?.status ?? null);
}

/** The latest note of a kind (notes come oldest first). */
function latestNote(job, kind) {
  const notes = Array.isArray(job.notes) ? job.notes : [];
  for (let i = notes.length - 1; i >= 0; i--) if (notes[i]?.kind === kind) return notes[i];
  return null;
}

export function renderGuard(root, job, temp) {
  const limits = job.temperatureLimits;
  const limitEl = root.querySelector('[data-vital="temp-limit"]');
  setText(limitEl, limits?.pauseAtC != null ? ` · pauses at ${formatTemp(limits.pauseAtC)}` : "");
  setAttr(limitEl, "title", limits ? `Pauses at ${formatTemp(limits.pauseAtC)}, continues at ${formatTemp(limits.resumeAtC)}` : null);
  const paused = job.status === "paused";
  const banner = part(root, "paused");
  show(banner, paused);
  if (!paused) return;
  const note = latestNote(job, "paused");
  const reason = note?.text || (temp != null && limits ? `drive at ${formatTemp(temp)}, limit ${formatTemp(limits.pauseAtC)}` : "waiting to continue");
  setText(banner.querySelector("[data-paused-reason]"), reason);
  setText(banner.querySelector("[data-paused-since]"), note ? `since ${formatTime(note.at)}` : "");
  setText(banner.querySelector("[data-paused-resume]"),
    limits?.resumeAtC != null ? `It continues by itself at or below ${formatTemp(limits.resumeAtC)}.` : "");
}

export function renderResumes(root, job) {
  const list = Array.isArray(job.surface?.resumes) ? job.surface.resumes : [];
  const box = part(root, "resumes");
  const key = JSON.stringify(list);
  if (box.dataset.key !== key) {
    box.dataset.key = key;
    box.replaceChildren(
      h("span", { class: "resumes-head", text: `Resumed ${list.length} time${list.length === 1 ? "" : "s"} after its process was lost:` }),
      h("ul", {}, ...list.map((text) => h("li", { class: "mono small", text }))));
  }
  show(box, list.length > 0);
}
