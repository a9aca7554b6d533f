// A browser-like SSE client built on eventsource-parser: reads /api/v1/events and keeps every event.
import { createParser, type EventSourceMessage } from "eventsource-parser";

export interface SseClient {
  events: { event: string; data: any; at: number }[];
  close(): void;
  waitFor(pred: (e: { event: string; data: any }) => boolean, timeoutMs?: number): Promise<void>;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: ctrl.signal });
  if (!res.ok || !res.body) throw new Error(`SSE connect failed: ${res.status}`);
  const events: SseClient["events"] = [];
  const parser = createParser({
    onEvent(m: EventSourceMessage) {
      events.push({ event: m.event ?? "message", data: JSON.parse(m.data), at: Date.now() });
    },
  });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      /* aborted */
    }
  })();
  return {
    events,
    close: () => ctrl.abort(),
    async waitFor(pred, timeoutMs = 120_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        if (events.some(pred)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("SSE event did not arrive in time");
    },
  };
}
