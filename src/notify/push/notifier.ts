// A push target as a Notifier (src/notify/index.ts): its requests, sent in order through the one
// HTTP wrapper. A message is sent when every request of it was; a failure retries the whole message.
import type { Notifier } from "../index.js";
import { sendHttp } from "./http.js";
import type { PushTarget } from "./types.js";

export interface PushNotifierOptions {
  timeoutMs: number;
  userAgent?: string;
}

export function pushNotifier(name: string, target: PushTarget, opts: PushNotifierOptions): Notifier {
  const http = { timeoutMs: opts.timeoutMs, service: target.kind, secrets: target.secrets, userAgent: opts.userAgent };
  return {
    name,
    // A claim outlives every request's timeout, so a Kiln killed mid-send gives the row back soon.
    leaseMs: opts.timeoutMs * 2 + 10_000,
    async send(m) {
      if (!m.payload) return { ok: false, permanent: true, error: "this message has no push form" };
      const requests = target.requests({ title: m.subject, text: m.text, payload: m.payload });
      for (const req of requests) {
        const result = await sendHttp(req, http);
        if (!result.ok) return result;
      }
      return { ok: true, messageId: `${target.kind}:${m.dedupeKey}` };
    },
    close() {},
  };
}
