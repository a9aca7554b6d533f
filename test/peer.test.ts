import { describe, expect, it } from "vitest";
import { isLoopbackAddress } from "../src/web/peer.js";

describe("loopback peer", () => {
  it("recognises IPv4 and IPv6 loopback, also IPv4-mapped", () => {
    for (const a of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"]) expect(isLoopbackAddress(a)).toBe(true);
  });
  it("rejects everything else", () => {
    for (const a of [undefined, "", "10.0.0.1", "::ffff:10.0.0.1", "128.0.0.1", "fe80::1", "127.0.0.1.evil"]) {
      expect(isLoopbackAddress(a)).toBe(false);
    }
  });
});
