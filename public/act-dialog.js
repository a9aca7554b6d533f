// One small confirmation dialog for the operator's escape hatches: remove a host, abandon a job.

import { request } from "./api.js";
import { $, setText, showMessage } from "./dom.js";

let pending = null;
let opener = null;

const dialog = () => $("#act-dialog");

/** act: { title, text, button, method, path, done(data) } */
export function openActDialog(act, from) {
  pending = act;
  opener = from ?? null;
  const d = dialog();
  setText($("[data-act-title]", d), act.title);
  setText($("[data-act-text]", d), act.text);
  setText($("#act-confirm"), act.button);
  showMessage($("[data-act-error]", d), "");
  $("#act-confirm").disabled = false;
  d.showModal();
  $("[data-action=close-dialog]", d).focus();
}

async function confirm() {
  if (!pending) return;
  const act = pending;
  const button = $("#act-confirm");
  button.disabled = true;
  const res = await request(act.method, act.path);
  if (!res.ok) {
    showMessage($("[data-act-error]", dialog()), res.error);
    button.disabled = false;
    return;
  }
  act.done?.(res.data);
  dialog().close("done");
}

export function initActDialog() {
  $("#act-confirm").addEventListener("click", confirm);
  dialog().addEventListener("close", () => {
    pending = null;
    if (opener?.isConnected) opener.focus();
  });
}
