// Words and small formats shared by the dashboard modules.

export const ACTIVE_STATUSES = new Set(["queued", "running", "paused"]);

const STAGES = {
  precheck: "Pre-check",
  smart_short: "SMART short test",
  surface_validate: "Surface test (badblocks)",
  smart_long: "SMART long test",
  final_check: "Final check",
};
export const DEFAULT_STAGES = Object.keys(STAGES);

export function stageLabel(name) {
  return STAGES[name] ?? String(name ?? "").replace(/_/g, " ");
}

const JOB_STATUS = {
  queued: "Queued",
  running: "Running",
  paused: "Paused",
  passed: "Passed",
  failed: "Failed",
  cancelled: "Cancelled",
  unknown: "Unknown",
};
export function jobStatusLabel(status) {
  return JOB_STATUS[status] ?? String(status ?? "");
}

const HOST_STATUS = { online: "online", unreachable: "unreachable", untrusted: "untrusted", unknown: "not checked" };
export function hostStatusLabel(status) {
  return HOST_STATUS[status] ?? String(status ?? "unknown");
}

export function formatTemp(c) {
  return c == null || !Number.isFinite(Number(c)) ? "—" : `${Math.round(Number(c))} °C`;
}

/** warm ≥ 45 °C, hot ≥ 55 °C: the levels most drive datasheets put their limits near. */
export function tempLevel(c) {
  if (c == null) return "";
  if (c >= 55) return "hot";
  if (c >= 45) return "warm";
  return "";
}

export function formatTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay
    ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : d.toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function formatAgo(iso, nowMs = Date.now()) {
  if (!iso) return "never";
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return "never";
  const s = Math.max(0, Math.round((nowMs - t) / 1000));
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function driveKind(drive) {
  if (/^loop\d/.test(drive.devName ?? "")) return "loop device";
  if (drive.rotational === true) return "HDD";
  if (drive.rotational === false) return drive.transport === "nvme" ? "NVMe SSD" : "SSD";
  return "";
}
