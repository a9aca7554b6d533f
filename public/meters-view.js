// The four pattern meters in the drawer, each a write half and a verify half.
// Built once per pattern list, then only widths and aria values change.

import { h, setAttr, setText, setWidth } from "./dom.js";
import { formatDuration, meterFills, patternDurations } from "./meters.js";

function half(pattern, kind) {
  return h("div", { class: "half", "data-half": kind },
    h("div", { class: "track" },
      h("div", {
        class: "fill", "data-fill": "", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100",
        "aria-valuenow": "0", "aria-label": `${pattern} ${kind}`,
      })),
    h("span", { class: "half-label", text: kind }));
}

function meter(pattern, index, count) {
  return h("div", { class: "meter", "data-pattern": pattern, role: "group", "aria-label": `Pattern ${index + 1} of ${count}: ${pattern}` },
    h("div", { class: "meter-head" },
      h("span", { class: "mono meter-pattern", text: pattern }),
      h("span", { class: "meter-time muted", "data-pattern-time": "" })),
    h("div", { class: "halves" }, half(pattern, "write"), half(pattern, "verify")));
}

function timeText(d) {
  if (d.total != null) return `took ${formatDuration(d.total)}`;
  if (d.write != null) return `write ${formatDuration(d.write)}`;
  return "";
}

function timeTitle(d) {
  if (d.write == null) return null;
  return `write ${formatDuration(d.write)}${d.verify != null ? ` · verify ${formatDuration(d.verify)}` : ""}`;
}

export function renderMeters(container, job) {
  const surface = job?.surface ?? null;
  const fills = meterFills(surface, job?.status);
  const durations = patternDurations(surface);
  const key = fills.map((f) => f.pattern).join(",");
  if (container.dataset.patternsKey !== key) {
    container.replaceChildren(...fills.map((f, i) => meter(f.pattern, i, fills.length)));
    container.dataset.patternsKey = key;
  }
  const live = job?.status === "running" || job?.status === "paused";
  const phase = Number(surface?.phase) || 0;
  const currentIndex = phase > 0 ? Math.ceil(phase / 2) - 1 : -1;
  const currentKind = phase % 2 === 1 ? "write" : "verify";
  fills.forEach((f, i) => {
    const el = container.children[i];
    for (const kind of ["write", "verify"]) {
      const pct = f[kind];
      const halfEl = el.querySelector(`[data-half="${kind}"]`);
      const fill = halfEl.querySelector("[data-fill]");
      setWidth(fill, pct);
      setAttr(fill, "aria-valuenow", String(Math.floor(pct)));
      halfEl.classList.toggle("is-done", pct >= 100);
      halfEl.classList.toggle("is-current", live && i === currentIndex && kind === currentKind);
    }
    el.classList.toggle("is-current", live && i === currentIndex);
    el.classList.toggle("is-failed", job?.status === "failed" && i === currentIndex);
    const d = durations[i];
    setText(el.querySelector("[data-pattern-time]"), d ? timeText(d) : "");
    setAttr(el.querySelector("[data-pattern-time]"), "title", d ? timeTitle(d) : null);
  });
}
