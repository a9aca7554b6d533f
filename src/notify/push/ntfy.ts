// ntfy (docs.ntfy.sh/publish, "Publish as JSON"): POST a JSON object with the topic to the server's
// root URL. shoutrrr's form: ntfy://[user:password@]host[:port][/prefix]/topic, or ntfy://:token@host/topic;
// https unless ?scheme=http. The topic is a password on public servers, so it is masked too.
import { decode, fail, json, maskTail, type PushChannel } from "./types.js";

const PRIORITIES: Record<string, number> = { min: 1, low: 2, default: 3, high: 4, max: 5, urgent: 5 };

function priorityOf(raw: string | null): number | null | "bad" {
  if (raw === null || raw === "") return null;
  const n = PRIORITIES[raw.toLowerCase()] ?? Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 5 ? n : "bad";
}

export const ntfy: PushChannel = {
  name: "ntfy",
  schemes: ["ntfy"],
  form: "ntfy://[user:password@]host[:port]/topic (or ntfy://:token@host/topic; ?scheme=http for plain HTTP)",
  parse(url) {
    const segments = url.pathname.split("/").filter(Boolean).map(decode);
    const topic = segments.pop();
    if (!url.host) return fail("the server host is missing");
    if (!topic) return fail("the topic is missing");
    const scheme = (url.searchParams.get("scheme") ?? "https").toLowerCase();
    if (scheme !== "https" && scheme !== "http") return fail("scheme= must be http or https");
    const priority = priorityOf(url.searchParams.get("priority"));
    if (priority === "bad") return fail("priority= must be 1 to 5 or min, low, default, high, max");
    const user = decode(url.username);
    const password = decode(url.password);
    if (user && !password) return fail("a user name needs a password (user:password@), or give a token as :token@");
    const auth = user ? `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` : password ? `Bearer ${password}` : null;
    const tags = (url.searchParams.get("tags") ?? "").split(",").map((t) => t.trim()).filter(Boolean);
    const base = `${scheme}://${url.host}${segments.map((s) => `/${encodeURIComponent(s)}`).join("")}`;
    const who = user ? `${user}:***@` : password ? ":***@" : "";
    return {
      ok: true,
      target: {
        kind: "ntfy",
        masked: `ntfy://${who}${url.host}/${segments.map((s) => `${s}/`).join("")}${maskTail(topic)}`,
        secrets: [password, topic],
        requests: (m) => [json(`${base}/`, {
          topic,
          title: m.title,
          message: m.text,
          priority: priority ?? (m.payload.priority === "high" ? 4 : 3),
          ...(tags.length ? { tags } : {}),
          ...(m.payload.url ? { click: m.payload.url } : {}),
        }, auth ? { authorization: auth } : {})],
      },
    };
  },
};
