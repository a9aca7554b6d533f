// Start dialog: names each disk, warns that it will be erased, and enables Start only once every
// confirmation field equals the drive's confirmName exactly.

import { get, post } from "./api.js";
import { $, $$, h, setText, showMessage } from "./dom.js";
import { driveKind } from "./labels.js";
import { formatBytes } from "./meters.js";
import { drives, putDrive, putJob } from "./store.js";

let driveIds = [];
let opener = null;
let onStarted = () => {};

const dialog = () => $("#start-dialog");

function confirmWord(drive) {
  return drive.serial && drive.confirmName === drive.serial ? "serial" : "device name";
}

function driveItem(drive) {
  const inputId = `start-confirm-${drive.id}`;
  return h("li", { class: "start-drive", "data-drive-id": drive.id },
    h("div", { class: "start-ident" },
      h("strong", { class: "mono", text: `${drive.hostName ?? ""} · ${drive.devName}` }),
      h("span", { text: [drive.model, driveKind(drive), formatBytes(drive.sizeBytes)].filter(Boolean).join(" · ") }),
      h("span", { class: "muted" }, "Serial ", h("span", { class: "mono", text: drive.serial || "none" })),
      drive.path && drive.path !== drive.devPath ? h("small", { class: "mono muted dev-path", text: drive.path }) : null),
    h("label", { class: "field", for: inputId },
      h("span", {}, `Type the ${confirmWord(drive)} `, h("strong", { class: "mono confirm-name", text: drive.confirmName }), " to confirm")),
    h("input", {
      id: inputId, type: "text", class: "mono", autocomplete: "off", autocapitalize: "none", spellcheck: "false",
      "data-confirm-input": "", "data-drive-id": drive.id, "data-expected": drive.confirmName,
    }));
}

function inputs() {
  return $$("[data-confirm-input]", dialog());
}

function sync() {
  const all = inputs();
  const ready = all.length > 0 && all.every((input) => input.value === input.dataset.expected);
  for (const input of all) input.classList.toggle("is-match", input.value === input.dataset.expected);
  $("#start-submit").disabled = !ready;
}

function chosenStages() {
  const boxes = $$("input[name=stage]", dialog());
  const on = boxes.filter((b) => b.checked).map((b) => b.value);
  return on.length === boxes.length ? undefined : on;
}

const surfaceBox = () => $("input[name=stage][value=surface_validate]", dialog());

/** SSD/NVMe in the batch: warn about wear and skip the destructive pass unless the operator opts in. */
function syncSsdWarning(list) {
  const ssds = list.filter((d) => d.rotational === false && !/^loop\d/.test(d.devName ?? ""));
  const box = $("[data-ssd-warning]", dialog());
  box.hidden = ssds.length === 0;
  setText($("[data-ssd-names]", box), ssds.map((d) => d.devName).join(", "));
  setText($("[data-ssd-plural]", box), ssds.length > 1 ? "s" : "");
  setText($("[data-ssd-mixed]", box), ssds.length > 0 && ssds.length < list.length ? " (for every drive in this batch)" : "");
  $("[data-skip-surface]", box).checked = ssds.length > 0;
  surfaceBox().checked = ssds.length === 0;
}

function intOrNull(input) {
  const raw = input.value.trim();
  return raw === "" ? null : Number(raw);
}

/** The temperature and new-drive options, or an error text for the form. */
function chosenOptions() {
  const limit = intOrNull($("#temp-limit-c"));
  const resume = intOrNull($("#temp-resume-c"));
  if (limit != null && (!Number.isInteger(limit) || limit < 30 || limit > 80)) return { error: "Pause at: a whole number from 30 to 80 °C." };
  if (resume != null && (!Number.isInteger(resume) || resume < 20 || resume > 79)) return { error: "Continue at: a whole number from 20 to 79 °C." };
  if (resume != null && resume >= (limit ?? 55)) return { error: `Continue at must be below the pause limit (${limit ?? 55} °C).` };
  const options = {};
  if (limit != null) options.tempLimitC = limit;
  if (resume != null) options.tempResumeC = resume;
  // Only what differs from the defaults (used: warn, tampered: fail) is sent.
  const used = $("#used-drive")?.value;
  const tampered = $("#tampered-drive")?.value;
  if (used === "fail") options.usedDrive = "fail";
  if (tampered === "warn") options.tamperedDrive = "warn";
  return { options: Object.keys(options).length ? options : undefined };
}

export function openStartDialog(ids, from) {
  const list = ids.map((id) => drives.get(id)).filter(Boolean);
  if (list.length === 0) return;
  driveIds = list.map((d) => d.id);
  opener = from ?? null;
  const d = dialog();
  setText($("[data-start-count]", d), list.length === 1 ? list[0].devName : `${list.length} drives`);
  $("[data-start-drives]", d).replaceChildren(...list.map(driveItem));
  for (const box of $$("input[name=stage]", d)) box.checked = true;
  $("#temp-limit-c").value = "";
  $("#temp-resume-c").value = "";
  syncSsdWarning(list);
  showMessage($("[data-start-error]", d), "");
  sync();
  d.showModal();
  inputs()[0]?.focus();
}

async function submit(event) {
  event.preventDefault();
  const all = inputs();
  if (!all.every((input) => input.value === input.dataset.expected)) return;
  const stages = chosenStages();
  const { options, error } = chosenOptions();
  const problem = error ?? (stages && stages.length === 0 ? "Choose at least one stage." : "");
  showMessage($("[data-start-error]", dialog()), problem);
  if (problem) return;
  const button = $("#start-submit");
  button.disabled = true;
  setText(button, "Starting…");
  const body = { driveIds, confirm: all.map((input) => input.value) };
  if (stages) body.stages = stages;
  if (options) body.options = options;
  const res = await post("/api/v1/burnin/start", body);
  setText(button, "Erase and burn in");
  if (!res.ok) {
    showMessage($("[data-start-error]", dialog()), res.error);
    sync();
    return;
  }
  const started = Array.isArray(res.data?.jobs) ? res.data.jobs : [];
  for (const job of started) {
    const drive = drives.get(job.driveId);
    if (drive) putDrive({ ...drive, activeJobId: job.id });
    putJob({ percent: 0, stages: [], badBlocks: [], badBlockCount: 0, notes: [], logTail: [], ...job });
  }
  dialog().close("started");
  onStarted(started);
  // Replace the placeholders with full snapshots (live events will follow).
  for (const job of started) {
    get(`/api/v1/jobs/${encodeURIComponent(job.id)}`).then((r) => r.ok && putJob(r.data));
  }
}

export function initStartDialog(options = {}) {
  onStarted = options.onStarted ?? onStarted;
  const d = dialog();
  d.addEventListener("input", (event) => {
    if (event.target.matches("[data-confirm-input]")) sync();
  });
  d.addEventListener("change", (event) => {
    if (event.target.matches("[data-skip-surface]")) surfaceBox().checked = !event.target.checked;
    if (event.target === surfaceBox()) $("[data-skip-surface]", d).checked = !event.target.checked;
  });
  $("#start-form").addEventListener("submit", submit);
  d.addEventListener("close", () => {
    $("[data-start-drives]", d).replaceChildren();
    const row = document.querySelector(`tr[data-drive-id="${CSS.escape(String(driveIds[0] ?? ""))}"] .dev-name`);
    (opener?.isConnected && !opener.disabled ? opener : row)?.focus();
  });
}
