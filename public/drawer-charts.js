// Two small plain-SVG line charts in the drawer: temperature and MB/s over the job's life.
// Samples are fetched when the drawer opens (or shows another job) and at most once a minute after.

import { get } from "./api.js";
import { seriesPath } from "./chart.js";
import { setAttr, setText, showMessage } from "./dom.js";
import { formatTime } from "./labels.js";

const SVG = "http://www.w3.org/2000/svg";
const BOX = { width: 480, height: 120, left: 34, right: 8, top: 8, bottom: 8 };
const REFRESH_MS = 60_000;
const CHARTS = [
  { name: "temperature", key: "temperatureC", zero: false, unit: "°C" },
  { name: "mbps", key: "mbps", zero: true, unit: "MB/s" },
];

let timer = null;
let shownJobId = null;
let loadedAt = 0;

function svgEl(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

function draw(root, chart, samples, limitC) {
  const svg = root.querySelector(`[data-chart="${chart.name}"]`);
  if (!svg) return;
  const s = seriesPath(samples, chart.key, BOX, { zero: chart.zero });
  const grid = svg.querySelector("[data-grid]");
  const lines = s.ticks.flatMap((t) => [
    svgEl("line", { x1: BOX.left, x2: BOX.width - BOX.right, y1: t.y, y2: t.y, class: "chart-grid" }),
    svgEl("text", { x: BOX.left - 5, y: t.y + 3.5, class: "chart-tick", "text-anchor": "end" }),
  ]);
  s.ticks.forEach((t, i) => { lines[i * 2 + 1].textContent = String(t.value); });
  if (chart.name === "temperature" && limitC != null && s.lo != null && limitC >= s.lo && limitC <= s.hi) {
    const y = BOX.height - BOX.bottom - ((limitC - s.lo) / (s.hi - s.lo)) * (BOX.height - BOX.top - BOX.bottom);
    lines.push(svgEl("line", { x1: BOX.left, x2: BOX.width - BOX.right, y1: y, y2: y, class: "chart-limit", "data-limit": limitC }));
  }
  grid.replaceChildren(...lines);
  const path = svg.querySelector("[data-series]");
  setAttr(path, "d", s.d || null);
  setAttr(path, "data-points", String(s.count));
  const fig = svg.closest("figure");
  const last = s.last == null ? "no data yet" : `now ${Math.round(s.last)} ${chart.unit}`;
  setText(fig.querySelector("[data-chart-last]"), last);
  setText(fig.querySelector("[data-chart-from]"), s.t0 == null ? "" : formatTime(new Date(s.t0).toISOString()));
  setText(fig.querySelector("[data-chart-to]"), s.t1 == null ? "" : formatTime(new Date(s.t1).toISOString()));
  setAttr(svg, "aria-label", s.count === 0
    ? `${chart.unit} over time: no samples yet`
    : `${chart.unit} over time, ${s.count} samples from ${s.lo} to ${s.hi} ${chart.unit}, latest ${Math.round(s.last)}`);
  svg.classList.toggle("is-empty", s.count === 0);
}

async function load(root, job) {
  const id = job.id;
  shownJobId = id;
  loadedAt = Date.now();
  const res = await get(`/api/v1/jobs/${encodeURIComponent(id)}/samples`);
  if (shownJobId !== id) return;
  const error = root.querySelector("[data-d='charts-error']");
  if (!res.ok) return showMessage(error, `Could not load the charts: ${res.error}`);
  showMessage(error, "");
  const samples = Array.isArray(res.data) ? res.data : [];
  for (const chart of CHARTS) draw(root, chart, samples, job.temperatureLimits?.pauseAtC ?? null);
}

/** Called on every drawer render: loads at once for a job not shown yet, else at most once a minute. */
export function updateCharts(root, job) {
  if (!job) return;
  if (job.id !== shownJobId || Date.now() - loadedAt >= REFRESH_MS) load(root, job);
}

/** While the drawer is open, refresh a live job's charts once a minute even without events. */
export function startCharts(root, currentJob) {
  stopCharts();
  timer = setInterval(() => {
    const job = currentJob();
    if (job && (job.status === "running" || job.status === "paused")) updateCharts(root, job);
  }, REFRESH_MS);
}

export function stopCharts() {
  clearInterval(timer);
  timer = null;
  shownJobId = null;
  loadedAt = 0;
}
