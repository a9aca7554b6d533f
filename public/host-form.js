// Add-host form and the copyable Kiln public key.

import { post } from "./api.js";
import { $, copyText, setText, show, showMessage } from "./dom.js";
import { hosts, putHost } from "./store.js";
import { renderCheck } from "./host-check.js";

const section = () => $("#add-host");
const toggle = () => $("#add-host-toggle");

export function setAddHostOpen(open) {
  show(section(), open);
  toggle().setAttribute("aria-expanded", String(open));
  setText(toggle(), open ? "Close" : "Add host");
}

/** Empty state: with no hosts the form is simply open. */
export function syncAddHostVisibility() {
  if (hosts.size === 0) setAddHostOpen(true);
  show(toggle(), hosts.size > 0);
}

function formBody(form) {
  const data = new FormData(form);
  const text = (name) => String(data.get(name) ?? "").trim();
  const body = {
    name: text("name"),
    address: text("address"),
    port: Number(text("port") || 22),
    username: text("username") || "root",
    includeLoopDevices: data.get("includeLoopDevices") === "on",
  };
  if (text("workDir")) body.workDir = text("workDir");
  if (text("useSudo")) body.useSudo = text("useSudo") === "true";
  const key = String(data.get("privateKey") ?? "");
  if (key.trim()) body.privateKey = key.trim() + "\n";
  return body;
}

async function submit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const error = $("[data-form-error]", form);
  showMessage(error, "");
  const check = $("[data-add-host-check]", form);
  show(check, false);
  if (!form.reportValidity()) return;
  const button = $("#add-host-submit");
  button.disabled = true;
  setText(button, "Connecting and checking…");
  const body = formBody(form);
  const res = await post("/api/v1/hosts", body);
  button.disabled = false;
  setText(button, "Add host and pin its key");
  if (!res.ok) {
    if (Array.isArray(res.data?.checks)) {
      showMessage(error, "Kiln did not add this host: it cannot run a burn-in yet. Fix the lines marked ✗ and add it again.");
      renderCheck(check, res.data.checks, { title: "Host check" });
    } else showMessage(error, res.error);
    return;
  }
  const { id, name, hostKeyFingerprint, useSudo, checks } = res.data ?? {};
  putHost({
    id, name: name ?? body.name, address: body.address, port: body.port, username: body.username,
    workDir: body.workDir ?? null, includeLoopDevices: body.includeLoopDevices,
    hostKeyFingerprint, status: "online", statusText: null, lastSeenAt: new Date().toISOString(),
    useSudo: useSudo === true, check: Array.isArray(checks) ? { at: new Date().toISOString(), lines: checks } : null,
  });
  form.reset();
  const result = $("[data-add-host-result]");
  setText($("[data-new-host-name]", result), name ?? body.name);
  setText($("[data-new-fingerprint]", result), hostKeyFingerprint ?? "");
  const resultCheck = $("[data-new-host-check]", result);
  if (resultCheck && Array.isArray(checks)) renderCheck(resultCheck, checks, { title: "Host check" });
  show(result, true);
  setAddHostOpen(false);
  show(toggle(), true);
  result.focus();
}

export function initHostForm() {
  $("#add-host-form").addEventListener("submit", submit);
  toggle().addEventListener("click", () => setAddHostOpen(section().hidden));
  $("[data-action=dismiss-result]")?.addEventListener("click", () => show($("[data-add-host-result]"), false));
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const source = $(button.dataset.copy);
      const ok = await copyText(source?.textContent ?? "", source);
      button.dataset.label ??= button.textContent;
      setText(button, ok ? "Copied" : "Selected: press Ctrl+C");
      setTimeout(() => setText(button, button.dataset.label), 1800);
    });
  }
}
