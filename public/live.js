// Server-Sent Events: job, drive and host snapshots keep the page live.
// The browser reconnects by itself; if the stream is closed for good we reopen it with backoff.
// After any reconnect the caller re-reads everything, since events may have been missed.

import { $, setAttr, setText } from "./dom.js";
import { putDrive, putHost, putJob } from "./store.js";

const LABELS = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" };

function indicate(state) {
  const el = $("#live-status");
  if (!el) return;
  setAttr(el, "data-live", state);
  setText(el, LABELS[state]);
}

function handler(put) {
  return (event) => {
    try {
      put(JSON.parse(event.data));
    } catch {
      // A malformed event is dropped; the next snapshot supersedes it.
    }
  };
}

export function connectLive({ onResync }) {
  let source = null;
  let lostContact = false;
  let retryMs = 1000;

  const open = () => {
    source = new EventSource("/api/v1/events");
    source.addEventListener("job", handler(putJob));
    source.addEventListener("drive", handler(putDrive));
    source.addEventListener("host", handler(putHost));
    source.addEventListener("open", () => {
      indicate("live");
      retryMs = 1000;
      if (lostContact) onResync();
      lostContact = false;
    });
    source.addEventListener("error", () => {
      lostContact = true;
      indicate("reconnecting");
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(open, retryMs);
        retryMs = Math.min(retryMs * 2, 30000);
      }
    });
  };

  indicate("connecting");
  open();
  return () => source?.close();
}
