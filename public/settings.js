// Settings page: the e-mail outbox (state, counts, recent messages, a test e-mail) and the audit log.

import { get, post } from "./api.js";
import { $, h, setAttr, setText, show, showMessage } from "./dom.js";
import { formatTime } from "./labels.js";

const STATUS_ORDER = ["pending", "sending", "sent", "failed"];
const OUTBOX_STATUS = { pending: "paused", sending: "running", sent: "passed", failed: "failed" };

const when = (iso) => (iso ? h("time", { datetime: iso, title: iso, text: formatTime(iso) }) : "—");

function outboxRow(m) {
  return h("tr", { "data-outbox-id": m.id, "data-status": m.status },
    h("td", { "data-label": "Queued" }, when(m.createdAt)),
    h("td", { "data-label": "Kind", text: String(m.kind ?? "").replace(/_/g, " ") }),
    h("td", { "data-label": "Subject", class: "wrap", text: m.subject }),
    h("td", { "data-label": "Status" }, h("span", { class: "badge", "data-row-status": OUTBOX_STATUS[m.status] ?? "unknown", text: m.status })),
    h("td", { "data-label": "Attempts", class: "num", text: String(m.attempts ?? 0) }),
    h("td", { "data-label": "Last error", class: "wrap small", text: m.lastError ?? "" }));
}

async function loadOutbox() {
  const box = $("#outbox");
  const res = await get("/api/v1/outbox?channel=email");
  showMessage($("[data-outbox-error]", box), res.ok ? "" : `Could not load the outbox: ${res.error}`);
  if (!res.ok) return;
  const { enabled, counts = {}, rows = [] } = res.data ?? {};
  const state = $("[data-mail-state]", box);
  setText(state, enabled ? "enabled" : "not configured");
  setAttr(state, "data-host-status", enabled ? "online" : "unknown");
  setText($("[data-mail-help]", box), enabled
    ? "Kiln sends a message when a job ends, when a batch has ended and when something needs attention."
    : "Set KILN_SMTP_URL and KILN_MAIL_TO and restart Kiln to get e-mail when jobs end or need attention.");
  $("[data-outbox-counts]", box).replaceChildren(...STATUS_ORDER.flatMap((s) => [
    h("div", { class: "count", "data-count": s }, h("dt", { text: s }), h("dd", { class: s === "failed" && counts[s] > 0 ? "is-bad-count" : null, text: String(counts[s] ?? 0) })),
  ]));
  $("[data-outbox-rows]", box).replaceChildren(...rows.map(outboxRow));
  show($("[data-outbox-table]", box), rows.length > 0);
  show($("[data-outbox-empty]", box), rows.length === 0);
}

async function sendTest(button) {
  const result = $("[data-test-result]");
  button.disabled = true;
  setText(button, "Sending…");
  const res = await post("/api/v1/notify/test");
  button.disabled = false;
  setText(button, "Send test e-mail");
  result.classList.toggle("is-error", !res.ok);
  showMessage(result, res.ok ? `Test e-mail queued (outbox #${res.data?.id}); it goes out within a few seconds.` : res.error);
  if (res.ok) {
    await loadOutbox();
    setTimeout(loadOutbox, 4000);
  }
}

function detailText(detail) {
  if (detail == null) return "";
  if (typeof detail !== "object") return String(detail);
  return Object.entries(detail).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : typeof v === "object" && v ? JSON.stringify(v) : v}`).join(" · ");
}

function auditRow(e) {
  return h("tr", { "data-audit-id": e.id, "data-action-name": e.action },
    h("td", { "data-label": "When" }, when(e.at)),
    h("td", { "data-label": "Who", text: e.actor }),
    h("td", { "data-label": "From", class: "mono small", text: e.address ?? "—" }),
    h("td", { "data-label": "Action" }, h("span", { class: "badge badge-muted", text: e.action })),
    h("td", { "data-label": "Target", class: "mono small", text: e.target ?? "" }),
    h("td", { "data-label": "Detail", class: "wrap small", text: detailText(e.detail) }));
}

async function loadAudit() {
  const box = $("#audit");
  const res = await get("/api/v1/audit?limit=200");
  showMessage($("[data-audit-error]", box), res.ok ? "" : `Could not load the audit log: ${res.error}`);
  const rows = res.ok && Array.isArray(res.data) ? res.data : [];
  $("[data-audit-rows]", box).replaceChildren(...rows.map(auditRow));
  show($("[data-audit-table]", box), rows.length > 0);
  show($("[data-audit-empty]", box), res.ok && rows.length === 0);
}

async function changePassword(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const result = $("[data-password-result]", form);
  const { currentPassword, newPassword, newPassword2 } = Object.fromEntries(new FormData(form));
  result.classList.add("is-error");
  if (newPassword !== newPassword2) return showMessage(result, "The two new passwords differ.");
  const res = await post("/api/v1/me/password", { currentPassword, newPassword });
  result.classList.toggle("is-error", !res.ok);
  showMessage(result, res.ok ? "Password changed. Your other sessions have ended." : res.error);
  if (res.ok) form.reset();
}

async function loadUsers() {
  if (document.body.dataset.role !== "admin") return;
  const res = await get("/api/v1/users");
  if (!res.ok || !Array.isArray(res.data)) return;
  $("[data-user-select]").replaceChildren(...res.data.map((u) =>
    h("option", { value: u.id, text: `${u.username} (${u.role}${u.active ? "" : ", inactive"})` })));
}

async function resetPassword(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const result = $("[data-user-reset-result]", form);
  const { userId, password } = Object.fromEntries(new FormData(form));
  const res = await post(`/api/v1/users/${encodeURIComponent(userId)}/password`, { password });
  result.classList.toggle("is-error", !res.ok);
  showMessage(result, res.ok ? "Password set; that user's sessions have ended." : res.error);
  if (res.ok) form.querySelector("input[name=password]").value = "";
}

$("#password-form").addEventListener("submit", changePassword);
$("#user-reset-form").addEventListener("submit", resetPassword);
loadUsers();
$("#send-test-email").addEventListener("click", (event) => sendTest(event.currentTarget));
loadOutbox();
loadAudit();
