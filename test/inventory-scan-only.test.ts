// A partial scan (the devices a start or precheck is about) probes and lists only those devices.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScanScript, newScanNonce, parseScanOutput } from "../src/inventory/scan.js";
import { createLoopDevice, type LoopDevice } from "./helpers/testhost.js";

let a: LoopDevice;
let b: LoopDevice;
beforeAll(() => {
  a = createLoopDevice({ sizeMiB: 4 });
  b = createLoopDevice({ sizeMiB: 4 });
});
afterAll(() => {
  a?.detach();
  b?.detach();
});

const name = (dev: string) => dev.replace("/dev/", "");

describe("partial scan", () => {
  it("lists only the named devices", () => {
    const opts = { includeLoopDevices: true, only: [name(a.device)] };
    const nonce = newScanNonce();
    const out = execFileSync("sh", ["-c", buildScanScript(opts, nonce)], { maxBuffer: 64 << 20 });
    const { drives } = parseScanOutput(out, { ...opts, nonce });
    expect(drives.map((d) => d.devPath)).toEqual([a.device]);
    expect(drives[0]!.inUse).toBeNull();
    const full = parseScanOutput(execFileSync("sh", ["-c", buildScanScript({ includeLoopDevices: true }, nonce)], { maxBuffer: 64 << 20 }), { includeLoopDevices: true, nonce });
    expect(full.drives.map((d) => d.devPath)).toEqual(expect.arrayContaining([a.device, b.device]));
  });

  it("refuses unsafe names before building a script", () => {
    expect(() => buildScanScript({ includeLoopDevices: true, only: ["sda;reboot"] })).toThrow(/unsafe/);
    expect(() => buildScanScript({ includeLoopDevices: true, only: [] })).toThrow();
  });
});
