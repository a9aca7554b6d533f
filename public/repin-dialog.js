// Re-pin dialog: an admin accepts a host's new SSH key by typing the fingerprint the host itself shows.

import { post } from "./api.js";
import { $, setText, show, showMessage } from "./dom.js";
import { putHost } from "./store.js";

let current = null;
let opener = null;

const dialog = () => $("#repin-dialog");

const FINGERPRINT = /SHA256:[A-Za-z0-9+/]{43}/;

function sync() {
  $("#repin-submit").disabled = !current || !FINGERPRINT.test($("#repin-confirm").value);
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
  const typed = $("#repin-confirm").value;
  if (!current || !FINGERPRINT.test(typed)) return;
  const d = dialog();
  const button = $("#repin-submit");
  button.disabled = true;
  const res = await post(`/api/v1/hosts/${encodeURIComponent(current.id)}/repin`, { fingerprint: typed.trim() });
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
