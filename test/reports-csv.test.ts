// The job history as RFC 4180 CSV, safe to open in a spreadsheet.
import { describe, expect, it } from "vitest";
import { historyCsv } from "../src/reports/csv.js";
import type { HistoryRow } from "../src/reports/history-rows.js";

const row: HistoryRow = {
  jobId: 7, driveId: 3, hostId: 1, batchId: "b-1", host: "nas", drive: "sdb", model: "WDC WD40EFRX", serial: "WD-123",
  wwn: null, sizeBytes: 4_000_787_030_016, rotational: true, transport: "sata", status: "failed",
  stages: "precheck,surface_validate", badBlocks: 2, createdBy: "admin", createdAt: "2025-01-01T00:00:00.000Z",
  startedAt: "2025-01-01T00:00:01.000Z", finishedAt: null, durationSeconds: null, errorText: null,
};
const cells = (csv: string) => csv.split("\r\n")[1]!;

describe("historyCsv", () => {
  it("writes a header and one CRLF-ended line per job, empty cells for null", () => {
    const csv = historyCsv([row]);
    expect(csv.endsWith("\r\n")).toBe(true);
    expect(csv.split("\r\n")[0]).toBe(
      "jobId,batchId,host,drive,model,serial,wwn,sizeBytes,status,stages,badBlocks,createdBy,createdAt,startedAt,finishedAt,durationSeconds,errorText",
    );
    expect(cells(csv)).toBe(
      '7,b-1,nas,sdb,WDC WD40EFRX,WD-123,,4000787030016,failed,"precheck,surface_validate",2,admin,2025-01-01T00:00:00.000Z,2025-01-01T00:00:01.000Z,,,',
    );
    expect(historyCsv([])).toBe(`${csv.split("\r\n")[0]}\r\n`);
  });

  it("quotes commas, quotes and line breaks", () => {
    const csv = historyCsv([{ ...row, errorText: 'badblocks said "no"\nthen stopped, twice' }]);
    expect(csv.endsWith(',"badblocks said ""no""\nthen stopped, twice"\r\n')).toBe(true);
  });

  it("defuses text a spreadsheet would run as a formula, but not numbers", () => {
    const one = { ...row, stages: "surface_validate" };
    for (const [evil, cell] of [["=HYPERLINK(1)", "'=HYPERLINK(1)"], ["+1", "'+1"], ["-2", "'-2"], ["@SUM(A1)", "'@SUM(A1)"], ["\tx", "'\tx"]]) {
      expect(cells(historyCsv([{ ...one, serial: evil! }])).split(",")[5]).toBe(cell);
    }
    expect(cells(historyCsv([{ ...one, badBlocks: -1 }])).split(",")[10]).toBe("-1");
  });
});
