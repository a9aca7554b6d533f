import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../src/errors.js";
import { remoteDirShellWord, shJoin, shQuote, validateDevicePath, validateRemoteDir } from "../src/shell/quote.js";

/** What a real POSIX sh sees: prints each argument it got, NUL-terminated. */
function shArgs(commandLine: string): string[] {
  const out = execFileSync("sh", ["-c", `printf '%s\\0' ${commandLine}`], { encoding: "utf8" });
  return out.split("\0").slice(0, -1);
}

const NASTY = ["plain", "it's", "'", "''", "a b", "$(id)", "`id`", "$HOME", "\\", "\\'", "*", "-rf", "\n", "semi;colon", "ü→", '"', "!", "~"];

describe("shQuote and shJoin", () => {
  it("makes sh see every string exactly as given", () => {
    for (const s of NASTY) expect(shArgs(shQuote(s))).toEqual([s]);
  });

  it("joins an argv so that sh gets the same argv back", () => {
    expect(shArgs(shJoin(NASTY))).toEqual(NASTY);
    expect(shArgs(shJoin(["", "x"]))).toEqual(["", "x"]);
  });

  it("quotes a single quote as '\\''", () => {
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
  });

  it("rejects a NUL byte as permanent bad input", () => {
    expect(() => shQuote("a\0b")).toThrow(InvalidInputError);
    try {
      shQuote("\0");
    } catch (e) {
      expect((e as InvalidInputError).permanent).toBe(true);
    }
  });
});

describe("validateDevicePath", () => {
  it.each(["/dev/sda", "/dev/nvme0n1", "/dev/loop7", "/dev/disk/by-id/ata-WDC_WD40EFRX-68N32N0_WD-WCC7K1234567", "/dev/disk/by-path/pci-0000:00:1f.2-ata-1", "/dev/mapper/vg0-lv+x@y=z,w"])(
    "accepts %s",
    (p) => expect(validateDevicePath(p)).toBe(p),
  );

  it.each([
    ["/dev/sda;reboot", "characters"],
    ["/dev/sda$(reboot)", "characters"],
    ["/dev/sd'a", "characters"],
    ['/dev/sd"a', "characters"],
    ["/dev/sd a", "characters"],
    ["/dev/sda\nreboot", "characters"],
    ["/dev/sda`x`", "characters"],
    ["/dev/../etc/passwd", '".."'],
    ["/dev/disk//sda", "empty path segment"],
    ["/dev/sda/", "empty path segment"],
    ["/dev/", "empty path segment"],
    ["sda", "must start with /dev/"],
    ["/etc/passwd", "must start with /dev/"],
    [`/dev/${"a".repeat(260)}`, "longer than 255"],
  ])("rejects %j with a message about %s", (p, why) => {
    expect(() => validateDevicePath(p)).toThrow(InvalidInputError);
    expect(() => validateDevicePath(p)).toThrow(why);
  });
});

describe("validateRemoteDir", () => {
  it.each(["/var/lib/kiln", "~/kiln", "~/.kiln/jobs/42", "/srv/kiln-work_1"])("accepts %s", (p) => {
    expect(validateRemoteDir(p)).toBe(p);
  });

  it.each(["kiln", "~", "~/", "~root/kiln", "/", "/tmp/../etc", "~/a b", "/tmp/$(id)", "~/x;y", "/a//b", "/a/./b"])("rejects %j", (p) => {
    expect(() => validateRemoteDir(p)).toThrow(InvalidInputError);
  });

  it("expands ~/ through $HOME in the shell and quotes the rest", () => {
    const home = execFileSync("sh", ["-c", `printf %s ${remoteDirShellWord("~/kiln/jobs")}`], { encoding: "utf8", env: { ...process.env, HOME: "/home/some one" } });
    expect(home).toBe("/home/some one/kiln/jobs");
    expect(remoteDirShellWord("/var/lib/kiln")).toBe("'/var/lib/kiln'");
  });
});
