// Dashboard entry: loads hosts and drives (each with the job its row shows) from the JSON API in two
// requests, draws the table once, wires the views, then keeps everything live with Server-Sent Events.

import { get } from "./api.js";
import { $, showMessage } from "./dom.js";
import { closeDrawer, drawerDriveId, initDrawer, openDrawer, render as renderDrawer } from "./drawer.js";
import { clearSelection, initDrives, renderDrives, updateDriveRows } from "./drives.js";
import { initHostForm, syncAddHostVisibility } from "./host-form.js";
import { initHosts, renderHosts } from "./hosts.js";
import { connectLive } from "./live.js";
import { initCancelDialog } from "./cancel-dialog.js";
import { initActDialog } from "./act-dialog.js";
import { initCrashBanner } from "./crash-banner.js";
import { initRepinDialog } from "./repin-dialog.js";
import { initStartDialog, openStartDialog } from "./start-dialog.js";
import { drives, hosts, loadDrives, putHost, subscribe } from "./store.js";

async function loadAll() {
  const [h, d] = await Promise.all([get("/api/v1/hosts"), get("/api/v1/drives")]);
  const problem = [h, d].find((r) => !r.ok);
  showMessage($("#load-error"), problem ? `Could not load the dashboard: ${problem.error}` : "");
  if (h.ok) {
    for (const id of [...hosts.keys()]) if (!h.data.some((x) => x.id === id)) hosts.delete(id);
    for (const host of h.data) putHost(host);
  }
  if (d.ok) loadDrives(d.data);
  renderHosts();
  syncAddHostVisibility();
  renderDrives();
  if (drawerDriveId() != null) renderDrawer();
}

function wire() {
  const start = (ids, from) => openStartDialog(ids, from);
  initHosts();
  initHostForm();
  initRepinDialog();
  initCancelDialog();
  initActDialog();
  initDrives({ open: openDrawer, start });
  initDrawer({ start });
  initStartDialog({ onStarted: () => clearSelection() });
  for (const dialog of document.querySelectorAll("dialog")) {
    dialog.addEventListener("click", (event) => {
      if (event.target.closest("[data-action=close-dialog]")) dialog.close("dismiss");
    });
  }

  // A burst of events (600 drives commit within the same second) patches each changed row once, in
  // the next animation frame; rows without news are not touched.
  const pendingRows = new Set();
  let frame = 0;
  const flushRows = () => {
    frame = 0;
    const changed = [...pendingRows].map((id) => drives.get(id)).filter(Boolean);
    pendingRows.clear();
    updateDriveRows(changed);
  };
  const scheduleRow = (id) => {
    pendingRows.add(id);
    if (!frame) frame = requestAnimationFrame(flushRows);
  };

  subscribe((kind, item) => {
    if (kind === "host") {
      renderHosts();
      syncAddHostVisibility();
      for (const d of drives.values()) if (d.hostId === item.id && d.hostName !== item.name) d.hostName = item.name;
    }
    if (kind === "drive") scheduleRow(item.id);
    if (kind === "drive-removed") {
      renderDrives();
      if (drawerDriveId() === item.id) closeDrawer();
    }
    if (kind === "job") {
      if (drives.has(item.driveId)) scheduleRow(item.driveId);
    }
    const open = drawerDriveId();
    if (open == null) return;
    if ((kind === "drive" && item.id === open) || (kind === "job" && item.driveId === open) || (kind === "host" && drives.get(open)?.hostId === item.id)) renderDrawer();
  });
}

wire();
initCrashBanner();
loadAll().finally(() => connectLive({ onResync: loadAll }));
