// The host check's lines (hosts/check.ts): one row per finding, problems with their fix.

import { h } from "./dom.js";

const MARK = { ok: "✓", warn: "!", fail: "✗" };
const WORD = { ok: "ok", warn: "warning", fail: "blocks burn-ins" };

/** Replaces `container`'s content with the check's lines and a one-line summary. */
export function renderCheck(container, lines, { title = "Host check", at = null } = {}) {
  const list = Array.isArray(lines) ? lines : [];
  const fails = list.filter((l) => l.status === "fail").length;
  const warns = list.filter((l) => l.status === "warn").length;
  const summary = fails
    ? `${fails} problem${fails === 1 ? "" : "s"} keep${fails === 1 ? "s" : ""} this host from running a burn-in${warns ? `, ${warns} warning${warns === 1 ? "" : "s"}` : ""}.`
    : warns ? `Ready, with ${warns} warning${warns === 1 ? "" : "s"}.` : "Ready: every check passed.";
  container.replaceChildren(
    h("p", { class: "host-check-head" },
      h("strong", { text: title }), " ",
      h("span", { class: `host-check-summary is-${fails ? "fail" : warns ? "warn" : "ok"}`, "data-check-summary": "", text: summary }),
      at ? h("span", { class: "muted small", text: ` · ${new Date(at).toLocaleString()}` }) : null),
    h("ul", { class: "host-check-list", "data-check-lines": "" },
      ...list.map((l) => h("li", { class: `check-line is-${l.status}`, "data-check-id": l.id, "data-check-status": l.status },
        h("span", { class: "check-mark", "aria-label": WORD[l.status] ?? l.status, text: MARK[l.status] ?? "?" }),
        h("span", { class: "check-label", text: l.label }),
        h("span", { class: "check-detail", text: l.detail }),
        l.fix ? h("span", { class: "check-fix", text: `Fix: ${l.fix}` }) : null))));
  container.hidden = false;
}
