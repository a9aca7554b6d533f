// Telegram bots (core.telegram.org/bots/api#sendmessage): POST /bot<token>/sendMessage with a JSON
// {chat_id, text}, one request per chat. shoutrrr's form: telegram://token@telegram?chats=@channel,chatId.
// ?endpoint= replaces https://api.telegram.org (a local Bot API server, or tests; types.ts).
import { clip, decode, endpointOf, endpointSuffix, fail, json, type PushChannel } from "./types.js";

export const telegram: PushChannel = {
  name: "telegram",
  schemes: ["telegram"],
  form: "telegram://botToken@telegram?chats=@channel,chatId",
  parse(url) {
    const token = url.password ? `${decode(url.username)}:${decode(url.password)}` : decode(url.username);
    if (!/^\d+:[\w-]+$/.test(token)) return fail("the bot token (before the @) must look like 123456:ABC-DEF… as @BotFather gives it");
    if (url.hostname !== "telegram") return fail("the host must be the word telegram (token@telegram)");
    const chats = (url.searchParams.get("chats") ?? url.searchParams.get("channels") ?? "").split(",").map((c) => c.trim()).filter(Boolean);
    if (chats.length === 0) return fail("name at least one chat: ?chats=@channel or a chat id");
    const ep = endpointOf(url, "https://api.telegram.org");
    if (!ep.ok) return fail(ep.error);
    const suffix = endpointSuffix(url);
    return {
      ok: true,
      target: {
        kind: "telegram",
        masked: `telegram://***@telegram?chats=${chats.join(",")}${suffix ? `&${suffix}` : ""}`,
        secrets: [token, decode(url.password)],
        requests: (m) => chats.map((chat) => json(`${ep.base}/bot${token}/sendMessage`, {
          chat_id: chat,
          text: clip(`${m.title}\n${m.text}`, 4096),
          link_preview_options: { is_disabled: true },
        })),
      },
    };
  },
};
