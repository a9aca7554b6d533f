// The history CSV written as it is read: a page of rows at a time (keyset, newest first), each page
// one write, waiting for the client to drain its buffer and letting other requests run between
// pages, so an export of many rows neither holds the whole file in memory nor the process.
import type { Writable } from "node:stream";
import type { Db } from "../db/open.js";
import type { HistoryFilter } from "../jobs/history.js";
import { historyPage } from "./history-rows.js";
import { HISTORY_HEADER, historyCsvLines } from "./csv.js";

const PAGE_ROWS = 1000;

/** Writes the header and up to `limit` matching rows to `out`, then ends it (or stops when the client goes). */
export async function writeHistoryCsv(db: Db, filter: HistoryFilter, limit: number, out: Writable): Promise<void> {
  out.write(HISTORY_HEADER);
  let left = limit;
  let beforeId: number | undefined;
  while (left > 0 && !out.destroyed) {
    const rows = historyPage(db, filter, beforeId, Math.min(PAGE_ROWS, left));
    if (rows.length > 0 && !out.write(historyCsvLines(rows))) {
      await new Promise<void>((resolve) => {
        out.once("drain", resolve);
        out.once("close", resolve);
      });
    } else {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (rows.length < PAGE_ROWS) break;
    left -= rows.length;
    beforeId = rows[rows.length - 1]!.jobId;
  }
  if (!out.destroyed) out.end();
}
