// The history's filters and CSV export on a real SQLite file with every migration applied: the serial
// filter through the trigram index (and the scan of a shorter fragment), kept in step with the drives
// table; date ranges; the CSV written page by page, with backpressure.
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../src/db/open.js";
import { migrate } from "../src/db/migrate.js";
import { MIGRATIONS_DIR } from "../src/paths.js";
import { findJobIds, parseHistoryQuery } from "../src/jobs/history.js";
import { historyRows } from "../src/reports/history-rows.js";
import { writeHistoryCsv } from "../src/reports/csv-stream.js";
import { HISTORY_HEADER } from "../src/reports/csv.js";
import { makeTempDir } from "./helpers/tempdir.js";

const JOBS = 2500;
let db: Db;

/** Job n: host rack-1/rack-2 alternately, its own drive, started n hours after 2026-01-01. */
function fill(): void {
  db.prepare("INSERT INTO hosts (name, address, port, username, work_dir, host_key_fingerprint, status) VALUES ('rack-1', '10.0.0.1', 22, 'root', '/w', 'SHA256:a', 'online'), ('rack-2', '10.0.0.2', 22, 'root', '/w', 'SHA256:b', 'online')").run();
  const drive = db.prepare(`INSERT INTO drives (host_id, identity_key, path, dev_name, dev_path, serial, wwn, model, size_bytes, confirm_name, present)
    VALUES (?, ?, ?, ?, ?, ?, ?, 'ST8000VN004', 8000000000000, ?, 0)`);
  const job = db.prepare(`INSERT INTO jobs (drive_id, host_id, status, stages_json, device_path, started_at, finished_at, created_at)
    VALUES (?, ?, ?, '["surface_validate"]', ?, ?, ?, ?)`);
  db.transaction(() => {
    for (let n = 1; n <= JOBS; n++) {
      const host = 1 + (n % 2);
      const serial = n === 1234 ? "WD-AbC7731Q" : `ZL${String(n).padStart(6, "0")}`;
      const wwn = n === 77 ? "0x5000cca2fedc0077" : `0x5000c500${n.toString(16)}`;
      const d = Number(drive.run(host, `serial:${serial}`, `/dev/disk/by-id/ata-${serial}`, `sd${n}`, `/dev/sd${n}`, serial, wwn, `sd${n}`).lastInsertRowid);
      const start = new Date(Date.UTC(2026, 0, 1) + n * 3_600_000).toISOString();
      // Job 10 never started (cancelled while queued): its creation time stands in for the start.
      job.run(d, host, n % 10 === 0 ? "failed" : "passed", `/dev/sd${n}`, n === 10 ? null : start, start, start);
    }
  })();
}

beforeAll(() => {
  db = openDatabase(path.join(makeTempDir("history-scale"), "kiln.db"));
  migrate(db, MIGRATIONS_DIR);
  fill();
});
afterAll(() => db?.close());

const ids = (q: Record<string, string>) => findJobIds(db, parseHistoryQuery(q));

describe("the history filters", () => {
  it("finds a serial by a case-insensitive fragment of 3 or more characters, or of its WWN", () => {
    expect(ids({ serial: "abc77" })).toEqual([1234]);
    expect(ids({ serial: "C7731q" })).toEqual([1234]);
    expect(ids({ serial: "fedc00" })).toEqual([77]);
    expect(ids({ serial: "no-such-serial" })).toEqual([]);
    // A fragment with a quote is a literal, not query syntax.
    expect(ids({ serial: 'ab"c' })).toEqual([]);
  });

  it("finds a fragment shorter than 3 characters by reading every serial", () => {
    expect(ids({ serial: "Q", limit: "10000" })).toEqual([1234]);
    expect(ids({ serial: "wd" })).toEqual([1234]);
  });

  it("follows a drive whose serial changes, and forgets a drive that is deleted", () => {
    const drive = db.prepare("SELECT drive_id FROM jobs WHERE id = 1234").pluck().get() as number;
    db.prepare("UPDATE drives SET serial = 'HGST-XY99' WHERE id = ?").run(drive);
    expect(ids({ serial: "abc77" })).toEqual([]);
    expect(ids({ serial: "xy99" })).toEqual([1234]);
    db.prepare("UPDATE drives SET serial = 'WD-AbC7731Q' WHERE id = ?").run(drive);
    expect(ids({ serial: "abc77" })).toEqual([1234]);
    const other = db.prepare("INSERT INTO drives (host_id, identity_key, path, dev_name, dev_path, serial, size_bytes, confirm_name) VALUES (1, 'x', '/dev/x', 'x', '/dev/x', 'GONE-SERIAL-1', 1, 'x')").run().lastInsertRowid;
    db.prepare("INSERT INTO jobs (drive_id, host_id, status, stages_json, device_path) VALUES (?, 1, 'passed', '[]', '/dev/x')").run(other);
    expect(ids({ serial: "gone-serial" })).toHaveLength(1);
    db.prepare("DELETE FROM drives WHERE id = ?").run(other);
    expect(ids({ serial: "gone-serial" })).toEqual([]);
  });

  it("filters a date range by the job's start, or its creation when it never started, newest first", () => {
    // Jobs 24..47 started on 2026-01-02.
    const day = ids({ from: "2026-01-02", to: "2026-01-02" });
    expect(day).toEqual(Array.from({ length: 24 }, (_, i) => 47 - i));
    expect(ids({ from: "2026-01-01T09:00:00Z", to: "2026-01-01T11:00:00Z" })).toEqual([10, 9]);
    expect(ids({ from: "2026-04-01", limit: "5" })).toEqual([2500, 2499, 2498, 2497, 2496]);
    expect(ids({ to: "2026-01-01T03:00:00Z" })).toEqual([2, 1]);
  });

  it("combines host, status and dates", () => {
    const got = ids({ host: "rack-1", status: "failed", from: "2026-01-02", to: "2026-01-03" });
    // rack-1 has the even jobs; failed are multiples of 10; 2026-01-02..03 covers jobs 24..71.
    expect(got).toEqual([70, 60, 50, 40, 30]);
    expect(historyRows(db, parseHistoryQuery({ host: "rack-1", status: "failed", from: "2026-01-02", to: "2026-01-03" })).map((r) => [r.jobId, r.host, r.status]))
      .toEqual(got.map((id) => [id, "rack-1", "failed"]));
  });
});

/** A client that reads slowly: a small buffer, each write acknowledged on the next turn. */
function slowClient(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    highWaterMark: 1024,
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      setImmediate(done);
    },
  });
  return Object.assign(w, { text: () => chunks.join("") });
}

describe("the CSV export", () => {
  it("writes the header and every matching row newest first, page after page, once each", async () => {
    const out = slowClient();
    const finished = new Promise((r) => out.on("finish", r));
    await writeHistoryCsv(db, parseHistoryQuery({}), 2100, out);
    await finished;
    const lines = out.text().split("\r\n");
    expect(lines[0]).toBe(HISTORY_HEADER.trimEnd());
    expect(lines.at(-1)).toBe("");
    const jobIds = lines.slice(1, -1).map((l) => Number(l.split(",")[0]));
    expect(jobIds).toEqual(Array.from({ length: 2100 }, (_, i) => JOBS - i));
  });

  it("applies the filters and stops at the last match", async () => {
    const out = slowClient();
    await writeHistoryCsv(db, parseHistoryQuery({ status: "failed" }), 10_000, out);
    const rows = out.text().split("\r\n").slice(1, -1);
    expect(rows).toHaveLength(JOBS / 10);
    expect(rows.every((l) => l.split(",")[8] === "failed")).toBe(true);
  });

  it("stops reading when the client goes away", async () => {
    const out = slowClient();
    setImmediate(() => out.destroy());
    await writeHistoryCsv(db, parseHistoryQuery({}), 10_000, out);
    expect(out.destroyed).toBe(true);
    expect(out.text().split("\r\n").length).toBeLessThan(JOBS);
  });
});
