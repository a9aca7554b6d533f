// Gotify (gotify.net/docs/pushmsg, REST API): POST /message with the application token in the
// X-Gotify-Key header and a JSON {title, message, priority, extras}. shoutrrr's form:
// gotify://host[:port][/path]/token; https unless ?disabletls=yes; ?priority=0..10.
import { decode, fail, json, type PushChannel } from "./types.js";

export const gotify: PushChannel = {
  name: "gotify",
  schemes: ["gotify"],
  form: "gotify://host[:port][/path]/token (?disabletls=yes for plain HTTP)",
  parse(url) {
    const segments = url.pathname.split("/").filter(Boolean).map(decode);
    const token = segments.pop();
    if (!url.host) return fail("the server host is missing");
    if (!token) return fail("the application token is missing (the last part of the path)");
    const raw = url.searchParams.get("priority");
    const priority = raw === null || raw === "" ? null : Number(raw);
    if (priority !== null && !(Number.isInteger(priority) && priority >= 0 && priority <= 10)) return fail("priority= must be 0 to 10");
    const tls = !/^(yes|true|1)$/i.test(url.searchParams.get("disabletls") ?? "");
    const base = `${tls ? "https" : "http"}://${url.host}${segments.map((s) => `/${encodeURIComponent(s)}`).join("")}`;
    return {
      ok: true,
      target: {
        kind: "gotify",
        masked: `gotify://${url.host}/${segments.map((s) => `${s}/`).join("")}***`,
        secrets: [token],
        requests: (m) => [json(`${base}/message`, {
          title: m.title,
          message: m.text,
          priority: priority ?? (m.payload.priority === "high" ? 8 : 5),
          extras: {
            "client::display": { contentType: "text/plain" },
            ...(m.payload.url ? { "client::notification": { click: { url: m.payload.url } } } : {}),
          },
        }, { "x-gotify-key": token })],
      },
    };
  },
};
