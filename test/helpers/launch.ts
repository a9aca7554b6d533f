// Launch scripts for tests that run them straight with `sh -c` on loop devices: the run's owner line
// and the device identity the host checks, as Kiln would pass them (remote/launch-script.ts).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { buildLaunchScript, runOwner, type DeviceIdentity, type LaunchOptions } from "../../src/remote/launch-script.js";

export const TEST_INSTALL_ID = "0123456789abcdef";

/** A loop device's identity as the scan records it: its backing file and size. */
export function loopIdentity(device: string): DeviceIdentity {
  const sys = `/sys/class/block/${device.split("/").pop()}`;
  return {
    path: device,
    sizeBytes: Number(readFileSync(`${sys}/size`, "utf8").trim()) * 512,
    serial: null,
    wwn: null,
    backingFile: readFileSync(`${sys}/loop/backing_file`, "utf8").trim(),
  };
}

/** The same job dir always gets the same run token here (a second launch is the same run's). */
export function ownerFor(jobDir: string, identity: DeviceIdentity, install = TEST_INSTALL_ID): string {
  return runOwner(install, createHash("sha256").update(jobDir).digest("hex").slice(0, 32), identity);
}

/** buildLaunchScript for the loop device the argv names, owned by the dir's test run. */
export function testLaunchScript(o: Omit<LaunchOptions, "owner" | "identity"> & { identity?: DeviceIdentity }): string {
  const device = o.argv[o.argv.length - 1]!.startsWith("/dev/") ? o.argv[o.argv.length - 1]! : o.argv.find((a) => a.startsWith("/dev/"))!;
  const identity = o.identity ?? loopIdentity(device);
  return buildLaunchScript({ ...o, identity, owner: ownerFor(o.jobDir, identity) });
}
