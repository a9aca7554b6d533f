// Drawer details below the meters: bad-block badge, I/O error counts, notes and the log tail.

import { h, setAttr, setText, showMessage } from "./dom.js";
import { formatTime } from "./labels.js";

const MAX_LISTED_BLOCKS = 12;

function renderBadBlocks(root, job) {
  const count = Number(job.badBlockCount ?? job.badBlocks?.length ?? 0);
  const badge = root.querySelector("[data-badblocks]");
  setAttr(badge, "data-badblocks", String(count));
  setText(badge, `${count} bad block${count === 1 ? "" : "s"}`);
  const started = (Number(job.surface?.phase) || 0) > 0;
  badge.classList.toggle("is-good", count === 0 && started);
  badge.classList.toggle("is-bad", count > 0);
  const blocks = Array.isArray(job.badBlocks) ? job.badBlocks : [];
  const listed = blocks.slice(0, MAX_LISTED_BLOCKS).join(", ");
  const more = count > MAX_LISTED_BLOCKS ? ` … and ${count - MAX_LISTED_BLOCKS} more` : "";
  showMessage(root.querySelector('[data-d="bb-list"]'), count > 0 && listed ? `First blocks: ${listed}${more}` : "");
  const e = job.surface?.errors;
  setText(root.querySelector('[data-d="io-errors"]'), e ? `read ${e.read} · write ${e.write} · corrupt ${e.corrupt}` : "");
}

function renderNotes(root, job) {
  const ul = root.querySelector("[data-notes]");
  const notes = Array.isArray(job.notes) ? job.notes : [];
  const key = JSON.stringify(notes);
  if (ul.dataset.key === key) return;
  ul.dataset.key = key;
  ul.replaceChildren(...notes.map((n) => h("li", { class: "note", "data-note-kind": n.kind },
    h("time", { datetime: n.at, text: formatTime(n.at) }),
    h("span", { class: "badge badge-small badge-muted", text: String(n.kind ?? "").replace(/_/g, " ") }),
    h("span", { text: n.text }))));
  root.querySelector('[data-d="notes"]').hidden = notes.length === 0;
}

function renderLog(root, job) {
  const pre = root.querySelector("[data-log]");
  const text = (Array.isArray(job.logTail) ? job.logTail : []).join("\n");
  if (pre.textContent === text) return;
  const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 8;
  pre.textContent = text || "No log lines yet.";
  if (atBottom) pre.scrollTop = pre.scrollHeight;
}

export function renderJobDetails(root, job) {
  renderBadBlocks(root, job);
  renderNotes(root, job);
  renderLog(root, job);
}
