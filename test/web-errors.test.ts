// The one mapping from the core's errors (src/errors.ts) and a host's (HostError) to HTTP.
import { describe, expect, it } from "vitest";
import { Conflict, InvalidInputError, NotFound, Refused } from "../src/errors.js";
import { HostError } from "../src/ssh/port.js";
import { HttpError, statusAndMessage } from "../src/web/errors.js";

describe("statusAndMessage", () => {
  it("maps each kind of core error to its status, with the operator's message", () => {
    expect(statusAndMessage(new InvalidInputError("driveIds is empty"))).toEqual({ status: 400, message: "driveIds is empty" });
    expect(statusAndMessage(new NotFound("no job 7"))).toEqual({ status: 404, message: "no job 7" });
    expect(statusAndMessage(new NotFound())).toEqual({ status: 404, message: "not found" });
    expect(statusAndMessage(new Conflict("sdb is in use: mounted"))).toEqual({ status: 409, message: "sdb is in use: mounted" });
  });

  it("carries a refusal's details into the answer (a host check's checks)", () => {
    const checks = [{ name: "badblocks", status: "fail" }];
    expect(statusAndMessage(new Refused("host a cannot run a burn-in", { checks }))).toEqual({
      status: 422, message: "host a cannot run a burn-in", extra: { checks },
    });
  });

  it("says whether waiting can help, which the status code does not", () => {
    expect(new Conflict("a drive is busy with another job").permanent).toBe(true);
    expect(new Conflict("try again when the host answers", { permanent: false }).permanent).toBe(false);
    expect(new InvalidInputError("x").permanent).toBe(true);
    expect(new Refused("x").permanent).toBe(true);
    expect(new InvalidInputError("x").name).toBe("InvalidInputError");
  });

  it("maps a host's errors by kind: a changed key is a conflict, refused credentials the input's fault, the rest a bad gateway", () => {
    expect(statusAndMessage(new HostError("key changed", true, "hostkey")).status).toBe(409);
    expect(statusAndMessage(new HostError("denied", true, "auth")).status).toBe(422);
    for (const kind of ["unreachable", "timeout", "exec"] as const) {
      expect(statusAndMessage(new HostError(`${kind}!`, false, kind))).toEqual({ status: 502, message: `${kind}!` });
    }
  });

  it("keeps the web edge's own codes and body-parser errors, and hides everything else behind 500", () => {
    expect(statusAndMessage(new HttpError(401, "authentication required"))).toEqual({ status: 401, message: "authentication required" });
    expect(statusAndMessage(Object.assign(new Error("x"), { type: "entity.parse.failed", status: 400 }))).toEqual({ status: 400, message: "malformed JSON body" });
    expect(statusAndMessage(Object.assign(new Error("x"), { type: "entity.too.large", status: 413 }))).toEqual({ status: 413, message: "request body too large" });
    expect(statusAndMessage(Object.assign(new Error("unsupported charset"), { status: 415, expose: true }))).toEqual({ status: 415, message: "unsupported charset" });
    expect(statusAndMessage(new Error("SQLITE_BUSY: secret path"))).toEqual({ status: 500, message: "internal error" });
    expect(statusAndMessage(undefined)).toEqual({ status: 500, message: "internal error" });
  });
});
