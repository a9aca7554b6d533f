// The scan script's framed output: sections found after any banner, only with the script's nonce,
// and a cut-short output told apart from a complete one.
import { describe, expect, it } from "vitest";
import { bodiesByArg, firstBody, probeRuns, splitFrames } from "../src/inventory/scan-output.js";
import { FRAME_PREFIX } from "../src/inventory/scan-script.js";

const NONCE = "0123abcd";
const frame = (rest: string, nonce = NONCE) => `${FRAME_PREFIX}${nonce} ${rest}`;
const output = [
  "Welcome to TrueNAS (a login banner)",
  frame("begin 3"),
  frame("lsblk"),
  '{"blockdevices": []}',
  frame("wipefs sdb 1"),
  "",
  frame("stderr wipefs sdb"),
  "wipefs: error: /dev/sdb: probing initialization failed: Device or resource busy",
  frame("smartctl sdb"),
  "{}",
  frame("smartctl sdc"),
  '{"x": 1}',
  frame("end"),
  "",
].join("\n");

describe("splitFrames", () => {
  it("ignores what comes before the begin frame and reads the version", () => {
    const out = splitFrames(output, NONCE);
    expect(out.complete).toBe(true);
    expect(out.version).toBe("3");
    expect(out.sections.map((s) => s.name)).toEqual(["lsblk", "wipefs", "stderr", "smartctl", "smartctl", "end"]);
    expect(firstBody(out.sections, "lsblk")).toBe('{"blockdevices": []}');
    expect(firstBody(out.sections, "zpool")).toBeNull();
  });

  it("counts only the begin frame with the script's own nonce, so a banner cannot forge one", () => {
    const forged = `${frame("begin 9", "ffffffff")}\n${frame("lsblk", "ffffffff")}\nforged\n`;
    expect(splitFrames(forged, NONCE)).toEqual({ sections: [], complete: false, version: null });
    expect(splitFrames(forged + output, NONCE).version).toBe("3");
  });

  it("says when the end frame never came", () => {
    const cut = output.slice(0, output.indexOf(frame("smartctl sdc")));
    const out = splitFrames(cut, NONCE);
    expect(out.complete).toBe(false);
    expect([...bodiesByArg(out.sections, "smartctl").keys()]).toEqual(["sdb"]);
  });

  it("pairs a probe with the stderr that follows it", () => {
    const { sections } = splitFrames(output, NONCE);
    expect(probeRuns(sections, "wipefs").get("sdb")).toEqual({
      rc: 1, stdout: "", stderr: "wipefs: error: /dev/sdb: probing initialization failed: Device or resource busy",
    });
    expect(bodiesByArg(sections, "smartctl")).toEqual(new Map([["sdb", "{}"], ["sdc", '{"x": 1}']]));
  });
});
