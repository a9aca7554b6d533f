// Small confirmation before cancelling a running burn-in.

import { post } from "./api.js";
import { $, setText, showMessage } from "./dom.js";

let jobId = null;
let opener = null;

const dialog = () => $("#cancel-dialog");

export function openCancelDialog(job, drive, from) {
  jobId = job.id;
  opener = from ?? null;
  const d = dialog();
  setText($("[data-cancel-drive]", d), `${drive?.devName ?? "this drive"}${drive?.hostName ? ` on ${drive.hostName}` : ""}`);
  showMessage($("[data-cancel-error]", d), "");
  $("#cancel-confirm").disabled = false;
  d.showModal();
  $("[data-action=close-dialog]", d).focus();
}

async function confirm() {
  if (jobId == null) return;
  const button = $("#cancel-confirm");
  button.disabled = true;
  setText(button, "Cancelling…");
  const res = await post(`/api/v1/jobs/${encodeURIComponent(jobId)}/cancel`);
  setText(button, "Cancel burn-in");
  if (!res.ok) {
    showMessage($("[data-cancel-error]", dialog()), res.error);
    button.disabled = false;
    return;
  }
  dialog().close("cancelled");
}

export function initCancelDialog() {
  $("#cancel-confirm").addEventListener("click", confirm);
  dialog().addEventListener("close", () => {
    jobId = null;
    if (opener?.isConnected) opener.focus();
  });
}
