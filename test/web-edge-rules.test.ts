// The web edge's pure rules (src/web/edge.ts), its settings (src/config.ts) and the typed
// fingerprint a re-pin needs, one case per rule. The same rules run against real processes in
// web-edge.test.ts and restart-loopback.test.ts.
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { allowedHosts, foreignWriteReason, hostAllowed, localBrowserReason } from "../src/web/edge.js";
import { typedFingerprint } from "../src/ssh/fingerprint.js";

const allowed = allowedHosts({ allowedHosts: ["kiln.example"] });

describe("the Host allow-list", () => {
  it.each([
    ["127.0.0.1:8080", true], ["localhost", true], ["LOCALHOST:1", true], ["[::1]:8080", true],
    ["kiln.example:8443", true], ["evil.example:8080", false], ["127.0.0.1.evil.example", false],
    ["0.0.0.0:8080", false], ["", false], [undefined, false], ["[::1", false],
  ])("Host %j → %s", (host, ok) => {
    expect(hostAllowed(host as string | undefined, allowed)).toBe(ok);
  });
});

describe("writes from browsers", () => {
  it.each([
    [{}, null],
    [{ "sec-fetch-site": "cross-site" }, /cross-site/],
    [{ "sec-fetch-site": "same-origin", origin: "null" }, null],
    [{ origin: "null" }, /foreign Origin/],
    [{ origin: "http://evil.example" }, /foreign Origin/],
    [{ origin: "https://kiln.example" }, null],
    [{ origin: "http://localhost:3000", "sec-fetch-site": "same-site" }, null],
  ])("%j → %s", (headers, reason) => {
    const r = foreignWriteReason(headers, allowed);
    if (reason === null) expect(r).toBeNull();
    else expect(r).toMatch(reason);
  });
});

describe("the login-free actions", () => {
  const host = "127.0.0.1:8080";
  it.each([
    [{ host }, null],
    [{ host, "sec-fetch-site": "same-origin" }, null],
    [{ host, origin: "http://127.0.0.1:8080" }, null],
    [{ host: "evil.example:8080" }, /does not name this machine/],
    [{ host, origin: "http://localhost:3000", "sec-fetch-site": "same-site" }, /same-site/],
    [{ host, origin: "http://127.0.0.1:3000" }, /not Kiln's own/],
    [{ host, origin: "http://evil.example", "sec-fetch-site": "cross-site" }, /cross-site/],
  ])("%j → %s", (headers, reason) => {
    const r = localBrowserReason(headers, allowed);
    if (reason === null) expect(r).toBeNull();
    else expect(r).toMatch(reason);
  });
});

describe("settings", () => {
  it("defaults: loopback restart on, no extra hosts, no trusted proxy", () => {
    expect(loadConfig({})).toMatchObject({ allowedHosts: [], loopbackRestart: true, trustProxy: [] });
  });
  it("reads the allowed hosts without ports, lower case", () => {
    expect(loadConfig({ KILN_ALLOWED_HOSTS: "Kiln.Example:8443, 192.168.1.20 ,[::1]:80,fe80::1" }).allowedHosts)
      .toEqual(["kiln.example", "192.168.1.20", "[::1]", "[fe80::1]"]);
  });
  it("turns the loopback restart off, and refuses other words", () => {
    expect(loadConfig({ KILN_LOOPBACK_RESTART: "off" }).loopbackRestart).toBe(false);
    expect(() => loadConfig({ KILN_LOOPBACK_RESTART: "no" })).toThrow(/KILN_LOOPBACK_RESTART/);
  });
  it("takes proxy addresses and subnets, and refuses names", () => {
    expect(loadConfig({ KILN_TRUST_PROXY: "10.0.0.5, 172.16.0.0/12,::1" }).trustProxy).toEqual(["10.0.0.5", "172.16.0.0/12", "::1"]);
    expect(() => loadConfig({ KILN_TRUST_PROXY: "proxy.lan" })).toThrow(ConfigError);
    expect(() => loadConfig({ KILN_TRUST_PROXY: "10.0.0.0/33" })).toThrow(/KILN_TRUST_PROXY/);
  });
});

describe("the fingerprint typed for a re-pin", () => {
  const fp = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";
  it.each([
    [fp, fp],
    [`256 ${fp} root@nas (ED25519)`, fp],
    [`  ${fp}=  `, fp],
    [fp.toLowerCase(), null],
    ["SHA256:short", null],
    ["MD5:aa:bb", null],
  ])("%j → %s", (typed, expected) => {
    expect(typedFingerprint(typed)).toBe(expected);
  });
});
