// Discord (discord.com/developers/docs/resources/webhook, "Execute Webhook"): POST
// /api/webhooks/{id}/{token} with a JSON {content} of at most 2,000 characters; 204 on success.
// shoutrrr's form: discord://token@id. ?endpoint= replaces https://discord.com (types.ts).
import { clip, decode, endpointOf, endpointSuffix, fail, json, type PushChannel } from "./types.js";

export const discord: PushChannel = {
  name: "discord",
  schemes: ["discord"],
  form: "discord://token@webhookId (from https://discord.com/api/webhooks/webhookId/token)",
  parse(url) {
    const token = decode(url.username || url.password);
    const id = url.hostname;
    if (!token) return fail("the webhook token is missing (token@webhookId)");
    if (!/^\d+$/.test(id)) return fail("the webhook id (after the @) must be the number from the webhook URL");
    const ep = endpointOf(url, "https://discord.com");
    if (!ep.ok) return fail(ep.error);
    const suffix = endpointSuffix(url);
    return {
      ok: true,
      target: {
        kind: "discord",
        masked: `discord://***@${id}${suffix ? `?${suffix}` : ""}`,
        secrets: [token],
        requests: (m) => [json(`${ep.base}/api/webhooks/${id}/${encodeURIComponent(token)}`, {
          content: clip(`**${m.title}**\n${m.text}`, 2000),
          allowed_mentions: { parse: [] },
        })],
      },
    };
  },
};
