// Pushover (pushover.net/api): POST /1/messages.json, form-encoded token, user, message (≤1,024
// characters), title (≤250), url, priority, device. shoutrrr's form:
// pushover://shoutrrr:apiToken@userKey/?devices=a,b&priority=1. ?endpoint= replaces https://api.pushover.net.
import { clip, decode, endpointOf, endpointSuffix, fail, maskTail, type PushChannel } from "./types.js";

export const pushover: PushChannel = {
  name: "pushover",
  schemes: ["pushover"],
  form: "pushover://shoutrrr:apiToken@userKey/?devices=device1,device2",
  parse(url) {
    const token = decode(url.password);
    const user = url.hostname;
    if (!/^[A-Za-z0-9]+$/.test(token)) return fail("the application API token is missing (shoutrrr:apiToken@userKey)");
    if (!/^[A-Za-z0-9]+$/.test(user)) return fail("the user key (after the @) is missing or not letters and digits");
    const raw = url.searchParams.get("priority");
    const priority = raw === null || raw === "" ? null : Number(raw);
    if (priority !== null && ![-2, -1, 0, 1].includes(priority)) return fail("priority= must be -2, -1, 0 or 1 (2 needs acknowledgement Kiln does not track)");
    const devices = url.searchParams.get("devices") ?? "";
    const ep = endpointOf(url, "https://api.pushover.net");
    if (!ep.ok) return fail(ep.error);
    const suffix = [devices ? `devices=${devices}` : "", endpointSuffix(url)].filter(Boolean).join("&");
    return {
      ok: true,
      target: {
        kind: "pushover",
        masked: `pushover://shoutrrr:***@${maskTail(user)}/${suffix ? `?${suffix}` : ""}`,
        secrets: [token, user],
        requests: (m) => {
          const form = new URLSearchParams({
            token, user,
            title: clip(m.title, 250),
            message: clip(m.text, 1024),
            priority: String(priority ?? (m.payload.priority === "high" ? 1 : 0)),
          });
          if (m.payload.url) {
            form.set("url", clip(m.payload.url, 512));
            form.set("url_title", m.payload.event === "attention" || m.payload.event === "test" ? "Open Kiln" : "Open the report");
          }
          if (devices) form.set("device", devices);
          return [{ url: `${ep.base}/1/messages.json`, method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() }];
        },
      },
    };
  },
};
