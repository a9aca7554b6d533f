// The crash banner: shown while the server reports an unacknowledged unclean shutdown of Kiln.
import { get, post } from "./api.js";
import { $ } from "./dom.js";

export async function refreshCrashBanner() {
  const banner = $("#crash-banner");
  const r = await get("/api/v1/system");
  const crash = r.ok ? r.data.crash : null;
  banner.hidden = !crash;
  if (crash) {
    banner.querySelector("[data-crash-text]").textContent =
      `Kiln did not shut down cleanly before ${new Date(crash.detectedAt).toLocaleString()} ` +
      `(previous process ${crash.previousPid ?? "unknown"}). Running jobs were re-attached; check their notes.`;
  }
}

export function initCrashBanner() {
  $("#crash-ack").addEventListener("click", async () => {
    const r = await post("/api/v1/system/acknowledge-crash");
    if (r.ok) $("#crash-banner").hidden = true;
  });
  return refreshCrashBanner();
}
