// The job history's filters, read from a query string: dates made ISO bounds (a bare `to` date
// covers its whole day), hosts by id or name, and a readable 400 for anything malformed.
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../src/errors.js";
import { parseHistoryQuery } from "../src/jobs/history.js";

describe("parseHistoryQuery", () => {
  it("turns an empty query into no filter", () => {
    expect(parseHistoryQuery({})).toEqual({
      status: undefined, driveId: undefined, host: undefined, serial: undefined, batchId: undefined, limit: undefined, from: undefined, to: undefined,
    });
    expect(parseHistoryQuery({ status: "  ", serial: "" })).toMatchObject({ status: undefined, serial: undefined });
  });

  it("makes a bare `to` date cover its whole day, and takes ISO date-times as they are", () => {
    expect(parseHistoryQuery({ from: "2025-01-31", to: "2025-01-31" })).toMatchObject({
      from: "2025-01-31T00:00:00.000Z", to: "2025-02-01T00:00:00.000Z",
    });
    expect(parseHistoryQuery({ from: "2025-01-31T10:00+02:00" }).from).toBe("2025-01-31T08:00:00.000Z");
  });

  it("reads a host as an id when it is all digits, else as a name; trims values", () => {
    expect(parseHistoryQuery({ host: "12" }).host).toBe(12);
    expect(parseHistoryQuery({ host: " nas-1 " }).host).toBe("nas-1");
    expect(parseHistoryQuery({ driveId: "7", limit: "50", status: "failed", serial: " WD-1 " })).toMatchObject({
      driveId: 7, limit: 50, status: "failed", serial: "WD-1",
    });
  });

  it("refuses malformed filters with a reason", () => {
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ status: "exploded" }, /unknown status exploded/],
      [{ driveId: "sdb" }, /driveId must be a number/],
      [{ from: "2025-13-01" }, /from is not a valid date/],
      [{ from: "2025-02-30" }, /from is not a valid date/], // Date.parse alone would read 2 March
      [{ to: "2025-04-31T10:00:00Z" }, /to must be a date/],
      [{ to: "yesterday" }, /to must be a date/],
      [{ serial: "x".repeat(129) }, /serial is too long/],
      [{ limit: "0" }, /limit must be 1 to 10000/],
      [{ limit: "10001" }, /limit must be 1 to 10000/],
    ];
    for (const [q, why] of refused) {
      expect(() => parseHistoryQuery(q), JSON.stringify(q)).toThrow(InvalidInputError);
      expect(() => parseHistoryQuery(q), JSON.stringify(q)).toThrow(why);
    }
  });
});
