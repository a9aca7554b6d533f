// Settings page, "Phone and chat alerts": the push targets (masked), how each one's last message went
// (a permanent refusal shows the service's reason), a test message per target, add and remove.

import { del, get, post } from "./api.js";
import { $, h, show, showMessage } from "./dom.js";
import { formatTime } from "./labels.js";

const STATUS = { pending: "paused", sending: "running", sent: "passed", failed: "failed" };
const box = $("#alert-targets");

function lastCell(last) {
  if (!last) return h("span", { class: "muted", text: "nothing sent yet" });
  const when = last.sentAt ?? last.createdAt;
  return h("span", {},
    h("span", { class: "badge", "data-row-status": STATUS[last.status] ?? "unknown", text: last.status === "pending" && last.attempts > 0 ? "retrying" : last.status }),
    " ", h("span", { class: "small muted", text: `${String(last.kind).replace(/-/g, " ")}, ${formatTime(when)}` }),
    last.error ? h("span", { class: `row-msg small${last.status === "failed" ? " is-error" : ""}`, "data-target-error": "", text: last.error }) : null);
}

function targetRow(t) {
  return h("tr", { "data-target-id": t.id, "data-kind": t.kind },
    h("td", { "data-label": "Kind" }, h("span", { class: "badge badge-muted", text: t.kind })),
    h("td", { "data-label": "Target", class: "wrap mono small", "data-masked": "", text: t.masked }),
    h("td", { "data-label": "From", class: "small", text: t.source === "env" ? "KILN_NOTIFY_URLS" : "settings" }),
    h("td", { "data-label": "Last message", class: "wrap" }, lastCell(t.last)),
    h("td", { "data-label": "Sent", class: "num", text: String(t.counts?.sent ?? 0) }),
    h("td", { class: "cell-actions" },
      h("button", { type: "button", class: "btn btn-small", "data-action": "test-target", text: "Send test" }),
      t.source === "settings" ? h("button", { type: "button", class: "btn btn-small", "data-action": "remove-target", text: "Remove" }) : null));
}

async function load() {
  const res = await get("/api/v1/notify/targets");
  showMessage($("[data-targets-error]", box), res.ok ? "" : `Could not load the alert targets: ${res.error}`);
  if (!res.ok) return;
  const { targets = [], kinds = [] } = res.data ?? {};
  $("[data-targets-rows]", box).replaceChildren(...targets.map(targetRow));
  show($("[data-targets-table]", box), targets.length > 0);
  show($("[data-targets-empty]", box), targets.length === 0);
  const forms = $("[data-target-forms]", box);
  if (!forms.childElementCount) forms.replaceChildren(...kinds.map((k) => h("li", { text: `${k.name}: ${k.form}` })));
}

function say(text, isError) {
  const el = $("[data-target-result]", box);
  el.classList.toggle("is-error", !!isError);
  showMessage(el, text);
}

async function onAction(event) {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const id = button.closest("tr")?.getAttribute("data-target-id");
  button.disabled = true;
  if (button.dataset.action === "test-target") {
    const res = await post(`/api/v1/notify/targets/${id}/test`);
    say(res.ok ? `Test message queued (outbox #${res.data?.id}); it goes out within a few seconds.` : res.error, !res.ok);
    if (res.ok) setTimeout(load, 3000);
  } else if (button.dataset.action === "remove-target") {
    const res = await del(`/api/v1/notify/targets/${id}`);
    say(res.ok ? "Target removed." : res.error, !res.ok);
  }
  button.disabled = false;
  await load();
}

async function onAdd(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const input = form.elements.url;
  const res = await post("/api/v1/notify/targets", { url: input.value });
  say(res.ok ? `Added ${res.data?.kind} target ${res.data?.masked}. Send it a test to check it.` : res.error, !res.ok);
  if (res.ok) input.value = "";
  await load();
}

if (box && document.body.dataset.role === "admin") {
  box.addEventListener("click", onAction);
  $("[data-target-form]", box).addEventListener("submit", onAdd);
  load();
  setInterval(load, 15_000);
}
