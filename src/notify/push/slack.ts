// Slack incoming webhooks (api.slack.com/messaging/webhooks): POST /services/T…/B…/X… with a JSON
// {text}; Slack answers 200 "ok". shoutrrr's forms: slack://hook:T…-B…-X…@webhook, and the older
// slack://[botname@]T…/B…/X…. ?endpoint= replaces https://hooks.slack.com (types.ts).
import { clip, decode, endpointOf, endpointSuffix, fail, json, type PushChannel } from "./types.js";

/** Slack's text needs &, < and > escaped (api.slack.com/reference/surfaces/formatting#escaping). */
const escapeSlack = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function tokenParts(url: URL): [string, string, string] | string {
  const user = decode(url.username);
  if (/^xox/.test(user)) return "Slack's bot API (xox… tokens) is not supported: use an incoming webhook, slack://hook:T…-B…-X…@webhook";
  if (user === "hook") {
    const m = /^([^-]+)-([^-]+)-(.+)$/.exec(decode(url.password));
    return m ? [m[1]!, m[2]!, m[3]!] : "the webhook token must be T…-B…-X… (the three parts of the webhook URL joined by dashes)";
  }
  const path = url.pathname.split("/").filter(Boolean).map(decode);
  if (path.length === 2 && url.hostname) return [url.hostname, path[0]!, path[1]!];
  return "use slack://hook:T…-B…-X…@webhook (or slack://T…/B…/X…)";
}

export const slack: PushChannel = {
  name: "slack",
  schemes: ["slack"],
  form: "slack://hook:T…-B…-X…@webhook (from https://hooks.slack.com/services/T…/B…/X…)",
  parse(url) {
    const parts = tokenParts(url);
    if (typeof parts === "string") return fail(parts);
    const [a, b, c] = parts;
    const ep = endpointOf(url, "https://hooks.slack.com");
    if (!ep.ok) return fail(ep.error);
    const botname = url.username && url.username !== "hook" ? decode(url.username) : url.searchParams.get("botname");
    const channel = url.searchParams.get("channel");
    const suffix = endpointSuffix(url);
    return {
      ok: true,
      target: {
        kind: "slack",
        masked: `slack://hook:${a}-***@webhook${suffix ? `?${suffix}` : ""}`,
        secrets: [b, c],
        requests: (m) => [json(`${ep.base}/services/${[a, b, c].map(encodeURIComponent).join("/")}`, {
          text: clip(`*${escapeSlack(m.title)}*\n${escapeSlack(m.text)}`, 3000),
          ...(botname ? { username: botname } : {}),
          ...(channel && channel !== "webhook" ? { channel } : {}),
        })],
      },
    };
  },
};
