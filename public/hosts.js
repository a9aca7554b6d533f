// Hosts panel: one card per host, patched in place; Scan, Re-pin and Remove actions.

import { post } from "./api.js";
import { $, h, setAttr, setText, show, showMessage } from "./dom.js";
import { ACTIVE_STATUSES, formatAgo, hostStatusLabel } from "./labels.js";
import { dropHost, hosts, jobs, putHost, replaceHostDrives } from "./store.js";
import { openRepinDialog } from "./repin-dialog.js";
import { renderCheck } from "./host-check.js";
import { openActDialog } from "./act-dialog.js";

const list = () => $("#host-list");

function buildCard(host) {
  const li = h("li", { class: "host", "data-host-id": host.id },
    h("div", { class: "host-top" },
      h("span", { class: "host-name", "data-host-name": "" }),
      h("span", { class: "badge", "data-host-status": "" })),
    h("div", { class: "host-addr mono", "data-host-address": "" }),
    h("div", { class: "host-fp" },
      h("span", { class: "label", text: "Host key" }),
      h("code", { class: "mono fp", "data-host-fingerprint": "" })),
    h("p", { class: "host-status-text", "data-host-status-text": "", hidden: true }),
    h("div", { class: "host-foot" },
      h("span", { class: "muted small", "data-host-seen": "" }),
      h("span", { class: "host-actions" },
        h("button", { type: "button", class: "btn btn-danger btn-small", "data-action": "repin", "data-host-id": host.id, hidden: true, text: "Re-pin host key" }),
        h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "check", "data-host-id": host.id, text: "Check host" }),
        h("button", { type: "button", class: "btn btn-small", "data-action": "scan", "data-host-id": host.id, text: "Scan" }),
        h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "remove-host", "data-host-id": host.id, text: "Remove" }))),
    h("p", { class: "inline-msg", "data-host-msg": "", role: "status", hidden: true }),
    h("div", { class: "host-check", "data-host-check": "", "aria-live": "polite", hidden: true }));
  return li;
}

function patchCard(li, host) {
  setText($("[data-host-name]", li), host.name);
  const badge = $("[data-host-status]", li);
  setText(badge, hostStatusLabel(host.status));
  setAttr(badge, "data-host-status", host.status ?? "unknown");
  setText($("[data-host-address]", li), `${host.username ?? "root"}@${host.address}:${host.port ?? 22}${host.useSudo ? " · sudo" : ""}`);
  setText($("[data-host-fingerprint]", li), host.hostKeyFingerprint ?? "not pinned yet");
  const st = $("[data-host-status-text]", li);
  showMessage(st, host.status === "online" ? "" : host.statusText ?? "");
  setText($("[data-host-seen]", li), `seen ${formatAgo(host.lastSeenAt)}${host.includeLoopDevices ? " · loop devices listed" : ""}`);
  show($("[data-action=repin]", li), host.status === "untrusted");
  li.classList.toggle("is-untrusted", host.status === "untrusted");
}

/** Adds, patches and orders host cards without rebuilding the ones that exist. */
export function renderHosts() {
  const ul = list();
  const sorted = [...hosts.values()].sort((a, b) => String(a.name).localeCompare(String(b.name), undefined, { numeric: true }));
  sorted.forEach((host, i) => {
    let li = ul.querySelector(`li[data-host-id="${CSS.escape(String(host.id))}"]`);
    if (!li) li = buildCard(host);
    patchCard(li, host);
    if (ul.children[i] !== li) ul.insertBefore(li, ul.children[i] ?? null);
  });
  for (const li of [...ul.children]) if (!hosts.has(Number(li.dataset.hostId)) && !hosts.has(li.dataset.hostId)) li.remove();
  $("#hosts-loading")?.remove();
  show($("#hosts-empty"), hosts.size === 0);
  ul.hidden = hosts.size === 0;
}

function hostIdOf(el) {
  const raw = el.dataset.hostId;
  return hosts.has(Number(raw)) ? Number(raw) : raw;
}

async function scan(button) {
  const id = hostIdOf(button);
  const card = button.closest("li.host");
  const msg = $("[data-host-msg]", card);
  button.disabled = true;
  setText(button, "Scanning…");
  button.setAttribute("aria-busy", "true");
  showMessage(msg, "");
  const res = await post(`/api/v1/hosts/${encodeURIComponent(id)}/scan`);
  button.disabled = false;
  button.removeAttribute("aria-busy");
  setText(button, "Scan");
  msg.classList.toggle("is-error", !res.ok);
  if (!res.ok) {
    showMessage(msg, res.error);
    return;
  }
  const found = Array.isArray(res.data) ? res.data : [];
  replaceHostDrives(id, found);
  showMessage(msg, `Scan finished: ${found.length} drive${found.length === 1 ? "" : "s"} found.`);
  const host = hosts.get(id);
  if (host && host.status !== "online") putHost({ ...host, status: "online", statusText: null, lastSeenAt: new Date().toISOString() });
}

async function check(button) {
  const id = hostIdOf(button);
  const card = button.closest("li.host");
  const msg = $("[data-host-msg]", card);
  button.disabled = true;
  setText(button, "Checking…");
  button.setAttribute("aria-busy", "true");
  showMessage(msg, "");
  const res = await post(`/api/v1/hosts/${encodeURIComponent(id)}/check`);
  button.disabled = false;
  button.removeAttribute("aria-busy");
  setText(button, "Check host");
  if (!res.ok) {
    msg.classList.add("is-error");
    showMessage(msg, res.error);
    return;
  }
  renderCheck($("[data-host-check]", card), res.data?.checks, { title: "Host check", at: new Date().toISOString() });
}

function confirmRemove(host, from) {
  if (!host) return;
  const active = [...jobs.values()].filter((j) => j.hostId === host.id && ACTIVE_STATUSES.has(j.status)).length;
  openActDialog({
    title: `Remove ${host.name}?`,
    text: `Kiln forgets this host and its drives; the reports of its past burn-ins stay in the history.${active ? ` It still has ${active} active job(s): cancel or abandon them first.` : ""}`,
    button: "Remove host",
    method: "DELETE",
    path: `/api/v1/hosts/${encodeURIComponent(host.id)}`,
    done: () => dropHost(host.id),
  }, from);
}

export function initHosts() {
  list().addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    if (button.dataset.action === "scan") scan(button);
    if (button.dataset.action === "check") check(button);
    if (button.dataset.action === "repin") openRepinDialog(hosts.get(hostIdOf(button)), button);
    if (button.dataset.action === "remove-host") confirmRemove(hosts.get(hostIdOf(button)), button);
  });
}
