// Drawer parts about the two questions no burn-in tool answered: is the drive really new (precheck's
// verdict, with its evidence), and is it as fast as the same-model drives of its batch (speed per
// pattern and across the disk, the batch's median, and any slow flag). The batch comparison is
// fetched from the batch report once per batch and state, not pushed with every progress event.

import { get } from "./api.js";
import { h, setAttr, setText, show } from "./dom.js";

const part = (root, name) => root.querySelector(`[data-d="${name}"]`);
const comparisons = new Map();

function renderNewDrive(root, job) {
  const v = job.newDrive ?? null;
  const box = part(root, "new-drive");
  setAttr(box, "data-new-drive", v ? v.status : "none");
  const badge = box.querySelector("[data-nd-status]");
  setText(badge, v ? v.status : "not judged yet");
  setAttr(badge, "data-nd", v ? v.status : null);
  setText(box.querySelector("[data-nd-text]"), v ? v.summary ?? v.text : "precheck judges the drive before anything is written");
  const farm = v?.farm;
  setText(box.querySelector("[data-nd-farm]"), !farm ? "" : farm.available
    ? `FARM: ${farm.powerOnHours} power-on hours, ${farm.powerCycles ?? "?"} power cycles`
    : `FARM not available: ${farm.reason}`);
}

async function comparisonFor(job) {
  if (!job.batchId) return null;
  const passes = job.surface?.speed?.passes?.length ?? 0;
  const key = `${job.batchId}:${job.id}:${job.status}:${passes}`;
  if (!comparisons.has(key)) {
    comparisons.set(key, get(`/api/v1/batches/${encodeURIComponent(job.batchId)}/report?format=json`)
      .then((r) => (r.ok ? r.data.drives.find((d) => d.jobId === job.id)?.speed ?? null : null)));
  }
  return comparisons.get(key);
}

function renderProfile(box, profile) {
  const rows = (profile?.patterns ?? []).map((p) => h("tr", {},
    h("th", { scope: "row", class: "mono", text: p.pattern }),
    h("td", { class: "num", text: p.writeMbps ?? "—" }),
    h("td", { class: "num", text: p.verifyMbps ?? "—" })));
  box.querySelector("[data-speed-rows]").replaceChildren(...rows);
  setText(box.querySelector("[data-speed-regions]"), profile ? profile.regionMbps.map((v) => v ?? "—").join(" · ") : "");
}

function renderComparison(box, c) {
  const summary = box.querySelector("[data-speed-summary]");
  if (!c || c.mbps == null) return setText(summary, "");
  const vs = c.vsSiblingsPct == null ? c.note ?? "" : `${c.vsSiblingsPct > 0 ? "+" : ""}${c.vsSiblingsPct} % vs the median of ${c.siblings} same-model drives (${c.siblingsMbps} MB/s)`;
  setText(summary, `${c.mbps} MB/s over every pass${vs ? `; ${vs}` : ""}`);
  setAttr(box, "data-slow", c.slow ? "yes" : "no");
  box.querySelector("[data-speed-flags]").replaceChildren(...c.flags.map((f) => h("li", { class: "flag", "data-flag": f.kind, text: f.text })));
}

function renderSpeed(root, job) {
  const box = part(root, "speed");
  const profile = job.surface?.speed ?? null;
  show(box, profile != null);
  if (!profile) return;
  renderProfile(box, profile);
  const link = box.querySelector("[data-batch-link]");
  setAttr(link, "href", job.batchId ? `/batches/${encodeURIComponent(job.batchId)}` : null);
  show(link, Boolean(job.batchId));
  comparisonFor(job).then((c) => renderComparison(box, c)).catch(() => renderComparison(box, null));
}

export function renderVerdicts(root, job) {
  renderNewDrive(root, job);
  renderSpeed(root, job);
}
