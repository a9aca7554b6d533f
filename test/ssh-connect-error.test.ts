// What ssh2 reports while connecting, translated into a HostError that says whether a retry helps.
import { describe, expect, it } from "vitest";
import { badKeyError, connectError } from "../src/ssh/connect-error.js";
import { HostError } from "../src/ssh/port.js";

const ssh2Error = (message: string, level: string, code?: string) => Object.assign(new Error(message), { level, code });

describe("connectError", () => {
  it("calls refused credentials permanent, reported as auth", () => {
    const e = connectError(ssh2Error("All configured authentication methods failed", "client-authentication"), "root@nas:22", null);
    expect(e).toMatchObject({ kind: "auth", permanent: true, message: "ssh authentication to root@nas:22 failed: All configured authentication methods failed" });
  });

  it("calls a refused connection, a DNS failure and a timeout transient: unreachable", () => {
    expect(connectError(ssh2Error("connect ECONNREFUSED 127.0.0.1:22", "client-socket", "ECONNREFUSED"), "nas", null)).toMatchObject({
      kind: "unreachable", permanent: false, message: "cannot reach nas (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:22",
    });
    expect(connectError(ssh2Error("getaddrinfo ENOTFOUND nas", "client-dns", "ENOTFOUND"), "nas", null)).toMatchObject({ kind: "unreachable", permanent: false });
    expect(connectError(ssh2Error("Timed out while waiting for handshake", "client-timeout"), "nas", null)).toMatchObject({ kind: "unreachable", permanent: false });
    expect(connectError("something odd", "nas", null)).toMatchObject({ kind: "unreachable", permanent: false, message: "ssh connection to nas failed: something odd" });
  });

  it("keeps the host key refusal Kiln's verifier built, and a HostError as it is", () => {
    const rejection = new HostError("host key changed", true, "hostkey");
    expect(connectError(ssh2Error("Handshake failed", "handshake"), "nas", rejection)).toBe(rejection);
    const own = new HostError("timed out", false, "timeout");
    expect(connectError(own, "nas", null)).toBe(own);
  });

  it("calls an unusable private key a permanent auth problem", () => {
    expect(badKeyError(new Error("Unsupported key format"), "nas")).toMatchObject({
      kind: "auth", permanent: true, message: "cannot use the private key for nas: Unsupported key format",
    });
  });
});
