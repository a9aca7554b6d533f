import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, ConfigError } from "../src/config.js";

describe("config", () => {
  it("has the contract's defaults", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ bind: "127.0.0.1", port: 8080, gateSeconds: 5, maxParallel: 8, logLevel: "info" });
    expect(c.dataDir).toBe(path.resolve("./data"));
    expect(c.apiToken).toBeUndefined();
  });
  it("fails with a message that names the bad variable", () => {
    expect(() => loadConfig({ KILN_PORT: "eighty" })).toThrow(ConfigError);
    expect(() => loadConfig({ KILN_PORT: "eighty" })).toThrow(/KILN_PORT/);
    expect(() => loadConfig({ KILN_LOG_LEVEL: "loud" })).toThrow(/KILN_LOG_LEVEL/);
  });
  it("reads a secret from NAME_FILE", () => {
    const f = path.join(mkdtempSync(path.join(tmpdir(), "kiln-test-cfg-")), "token");
    writeFileSync(f, "0123456789abcdef-token\n");
    expect(loadConfig({ KILN_API_TOKEN_FILE: f }).apiToken).toBe("0123456789abcdef-token");
  });
  it("splits the mail recipients", () => {
    expect(loadConfig({ KILN_MAIL_TO: "a@x, b@y" }).mailTo).toEqual(["a@x", "b@y"]);
  });
});
