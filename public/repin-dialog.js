// Re-pin dialog: an admin accepts a host's new SSH key after typing the host's name.

import { post } from "./api.js";
import { $, setText, show, showMessage } from "./dom.js";
import { putHost } from "./store.js";

let current = null;
let opener = null;

const dialog = () => $("#repin-dialog");

function sync() {
  const input = $("#repin-confirm");
  $("#repin-submit").disabled = !current || input.value !== current.name;
}

export function openRepinDialog(host, from) {
  if (!host) return;
  current = host;
  opener = from ?? null;
  const d = dialog();
  setText($("[data-repin-host]", d), host.name);
  setText($("[data-repin-name]", d), host.name);
  setText($("[data-repin-old]", d), host.hostKeyFingerprint ?? "none");
  showMessage($("[data-repin-status]", d), host.statusText ?? "");
  showMessage($("[data-repin-error]", d), "");
  show($("[data-repin-result]", d), false);
  show($("#repin-form-body"), true);
  $("#repin-confirm").value = "";
  $("#repin-submit").hidden = false;
  sync();
  d.showModal();
  $("#repin-confirm").focus();
}

async function submit(event) {
  event.preventDefault();
  if (!current || $("#repin-confirm").value !== current.name) return;
  const d = dialog();
  const button = $("#repin-submit");
  button.disabled = true;
  const res = await post(`/api/v1/hosts/${encodeURIComponent(current.id)}/repin`, { confirm: current.name });
  if (!res.ok) {
    showMessage($("[data-repin-error]", d), res.error);
    sync();
    return;
  }
  const fingerprint = res.data?.hostKeyFingerprint ?? "";
  putHost({ ...current, hostKeyFingerprint: fingerprint, status: "unknown", statusText: null });
  setText($("[data-repin-new]", d), fingerprint);
  show($("#repin-form-body"), false);
  show($("[data-repin-result]", d), true);
  button.hidden = true;
  $("[data-action=close-dialog]", d).focus();
}

export function initRepinDialog() {
  const d = dialog();
  $("#repin-confirm").addEventListener("input", sync);
  $("#repin-form").addEventListener("submit", submit);
  d.addEventListener("close", () => {
    current = null;
    if (opener?.isConnected) opener.focus();
  });
}
