// History page: every job with filters (host, status, dates, serial), links to each report, the CSV
// export with the same filters, and a Restart button for jobs that ended badly.

import { get, post } from "./api.js";
import { $, h, setText, show, showMessage } from "./dom.js";
import { canRestart, filterQuery, filtersFrom, HISTORY_FILTERS, jobSeconds } from "./history-query.js";
import { driveKind, formatTime, jobStatusLabel } from "./labels.js";
import { formatDuration } from "./meters.js";

const form = () => $("#history-filters");
let hostNames = new Map();
let driveInfo = new Map();

function readForm() {
  const data = new FormData(form());
  return Object.fromEntries(HISTORY_FILTERS.map((n) => [n, String(data.get(n) ?? "")]));
}

function fillForm(values) {
  for (const name of HISTORY_FILTERS) {
    const el = form().elements.namedItem(name);
    if (!el) continue;
    if (el.tagName === "SELECT" && values[name] && ![...el.options].some((o) => o.value === values[name])) {
      el.append(h("option", { value: values[name], text: values[name] }));
    }
    el.value = values[name] ?? "";
  }
}

async function loadLookups() {
  const [hostsRes, drivesRes] = await Promise.all([get("/api/v1/hosts"), get("/api/v1/drives")]);
  if (hostsRes.ok) {
    hostNames = new Map(hostsRes.data.map((x) => [x.id, x.name]));
    const select = form().elements.namedItem("host");
    const chosen = select.value;
    select.replaceChildren(h("option", { value: "", text: "All hosts" }),
      ...hostsRes.data.map((x) => h("option", { value: x.name, text: x.name })));
    if (chosen && ![...select.options].some((o) => o.value === chosen)) select.append(h("option", { value: chosen, text: chosen }));
    select.value = chosen;
  }
  if (drivesRes.ok) driveInfo = new Map(drivesRes.data.map((d) => [d.id, d]));
}

/** Drives no longer present are not in /drives: their identity comes with the row, or from one report each. */
async function fillMissingDrives(jobs) {
  const missing = new Map();
  for (const j of jobs) {
    if (!driveInfo.has(j.driveId) && j.drive) driveInfo.set(j.driveId, { ...j.drive, gone: true });
    if (j.host && !hostNames.has(j.hostId)) hostNames.set(j.hostId, j.host);
  }
  for (const j of jobs) if (!driveInfo.has(j.driveId) && !missing.has(j.driveId)) missing.set(j.driveId, j.id);
  const results = await Promise.all([...missing.values()].slice(0, 30).map((id) => get(`/api/v1/jobs/${id}/report?format=json`)));
  for (const r of results) {
    if (!r.ok || !r.data?.drive) continue;
    const d = r.data.drive;
    driveInfo.set(d.id, { ...d, sizeBytes: d.capacityBytes, gone: true });
    if (r.data.host?.name && !hostNames.has(r.data.host.id)) hostNames.set(r.data.host.id, r.data.host.name);
  }
}

function row(job) {
  const d = driveInfo.get(job.driveId) ?? {};
  const report = `/api/v1/jobs/${encodeURIComponent(job.id)}/report?format=html`;
  const secs = jobSeconds(job.startedAt, job.finishedAt);
  return h("tr", { "data-job-id": job.id, "data-status": job.status },
    h("td", { "data-label": "Job" }, h("a", { href: report, class: "mono", text: `#${job.id}`, "aria-label": `Report of job ${job.id}` })),
    h("td", { "data-label": "Host", text: hostNames.get(job.hostId) ?? `host ${job.hostId}` }),
    h("td", { "data-label": "Drive" },
      h("span", { class: "mono", text: d.devName ?? `drive ${job.driveId}` }),
      h("span", { class: "muted small sub", text: [d.model, driveKind(d), d.gone ? "no longer present" : ""].filter(Boolean).join(" · ") })),
    h("td", { "data-label": "Serial", class: "mono", text: d.serial ?? "—" }),
    h("td", { "data-label": "Status" }, h("span", { class: "badge", "data-row-status": job.status, text: jobStatusLabel(job.status) })),
    h("td", { "data-label": "Bad blocks", class: `num${job.badBlockCount > 0 ? " is-bad-count" : ""}`, text: String(job.badBlockCount ?? 0) }),
    h("td", { "data-label": "Started" }, job.startedAt ? h("time", { datetime: job.startedAt, text: formatTime(job.startedAt) }) : "—"),
    h("td", { "data-label": "Duration", class: "num", text: secs == null ? "—" : formatDuration(secs) }),
    h("td", { class: "cell-actions" },
      canRestart(job.status)
        ? h("button", { type: "button", class: "btn btn-small", "data-action": "restart", "data-job-id": job.id, "aria-label": `Restart job ${job.id}`, text: "Restart" })
        : null,
      h("span", { class: "row-msg small", "data-row-msg": "", role: "status" })));
}

async function loadJobs() {
  const values = readForm();
  const query = filterQuery(values);
  $("#history-csv").href = `/api/v1/history.csv${query}`;
  show($("#history-loading"), true);
  const res = await get(`/api/v1/jobs${query ? `${query}&` : "?"}view=rows`);
  show($("#history-loading"), false);
  showMessage($("#history-error"), res.ok ? "" : `Could not load the history: ${res.error}`);
  const jobs = res.ok && Array.isArray(res.data) ? res.data : [];
  if (res.ok) await fillMissingDrives(jobs);
  $("#history-rows").replaceChildren(...jobs.map(row));
  show($("#history-table"), jobs.length > 0);
  const filtered = query !== "";
  const empty = $("#history-empty");
  show(empty, res.ok && jobs.length === 0);
  if (res.ok && jobs.length === 0 && filtered) empty.replaceChildren("No jobs match these filters. ", h("a", { href: "/history", text: "Show all jobs" }));
  setText($("[data-history-count]"), res.ok ? `${jobs.length} job${jobs.length === 1 ? "" : "s"}${filtered ? " match" : ""}${jobs.length === 1 && filtered ? "es" : ""}` : "");
}

async function restart(button) {
  const id = button.dataset.jobId;
  const msg = button.parentElement.querySelector("[data-row-msg]");
  button.disabled = true;
  setText(button, "Restarting…");
  const res = await post(`/api/v1/jobs/${encodeURIComponent(id)}/restart`);
  if (!res.ok) {
    button.disabled = false;
    setText(button, "Restart");
    msg.classList.add("is-error");
    setText(msg, res.error);
    return;
  }
  showMessage($("#history-notice"), `Job #${id} restarted as job #${res.data?.id}.`);
  await loadJobs();
}

async function init() {
  fillForm(filtersFrom(location.search));
  form().addEventListener("submit", (event) => {
    event.preventDefault();
    history.replaceState(null, "", `/history${filterQuery(readForm())}`);
    loadJobs();
  });
  $("[data-action=clear-filters]").addEventListener("click", (event) => {
    event.preventDefault();
    form().reset();
    fillForm(filtersFrom(""));
    history.replaceState(null, "", "/history");
    loadJobs();
  });
  $("#history-rows").addEventListener("click", (event) => {
    const button = event.target.closest("[data-action=restart]");
    if (button) restart(button);
  });
  await loadLookups();
  await loadJobs();
}

init();
