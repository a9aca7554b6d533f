// A plain JSON webhook: POST the event's payload (payload.ts, documented in the README) to any URL.
// shoutrrr's forms: generic+https://host/path (or generic+http://), and generic://host/path (https
// unless ?disabletls=yes). Kiln's own query parameters, not forwarded: `secret` (the body is signed with
// HMAC-SHA256 in X-Kiln-Signature: sha256=<hex>) and `@Name=value` (an extra request header); every
// other parameter is forwarded, and `_name` forwards as `name` (shoutrrr's escape for a reserved name).
import { createHmac } from "node:crypto";
import { decode, fail, maskTail, type PushChannel } from "./types.js";

const SIGNATURE_HEADER = "x-kiln-signature";

/** Headers Kiln sets itself: a `@name=` parameter may not name them. */
const OWN_HEADERS = ["content-type", "content-length", "host", "x-kiln-event", "x-kiln-delivery", SIGNATURE_HEADER];

export const signBody = (secret: string, body: string) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

export const webhook: PushChannel = {
  name: "webhook",
  schemes: ["generic+https", "generic+http", "generic"],
  form: "generic+https://host/path[?secret=…] (a POST of Kiln's JSON payload, signed when a secret is given)",
  parse(url) {
    if (!url.host) return fail("the host is missing");
    const scheme = url.protocol === "generic+http:" ? "http"
      : url.protocol === "generic+https:" ? "https"
      : /^(yes|true|1)$/i.test(url.searchParams.get("disabletls") ?? "") ? "http" : "https";
    let secret: string | null = null;
    const headers: Record<string, string> = {};
    const forward = new URLSearchParams();
    for (const [k, v] of url.searchParams) {
      if (k === "secret") secret = v;
      else if (k.startsWith("@")) headers[k.slice(1).toLowerCase()] = v;
      else if (k === "disabletls" && url.protocol === "generic:") continue;
      else forward.append(k.startsWith("_") ? k.slice(1) : k, v);
    }
    if (secret === "") return fail("secret= is empty");
    if (Object.keys(headers).some((name) => !/^[a-z0-9-]+$/.test(name) || OWN_HEADERS.includes(name))) {
      return fail("a @header= parameter names a header Kiln cannot set");
    }
    const query = forward.toString();
    const userinfo = url.username ? `${url.username}:${url.password}@` : "";
    const target = `${scheme}://${userinfo}${url.host}${url.pathname}${query ? `?${query}` : ""}`;
    // Shown: scheme, host, the path's first characters, the parameter names; every value is ***.
    const path = url.pathname === "/" || url.pathname === "" ? "/" : `/${maskTail(url.pathname.slice(1))}`;
    const names = [...Object.keys(headers).map((h) => `@${h}`), ...(secret ? ["secret"] : []), ...forward.keys()];
    const maskedQuery = names.length ? `?${names.map((n) => `${n}=***`).join("&")}` : "";
    return {
      ok: true,
      target: {
        kind: "webhook",
        masked: `${url.protocol}//${url.username ? "***@" : ""}${url.host}${path}${maskedQuery}`,
        secrets: [
          ...(secret ? [secret] : []), ...Object.values(headers), ...forward.values(), decode(url.password),
          ...url.pathname.split("/").map(decode).filter((seg) => seg.length >= 8),
        ],
        requests: (m) => {
          const body = JSON.stringify(m.payload);
          return [{
            url: target,
            method: "POST",
            headers: {
              ...headers,
              "content-type": "application/json",
              "x-kiln-event": m.payload.event,
              "x-kiln-delivery": m.payload.id,
              ...(secret ? { [SIGNATURE_HEADER]: signBody(secret, body) } : {}),
            },
            body,
          }];
        },
      },
    };
  },
};
