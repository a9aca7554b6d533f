// One better-sqlite3 connection for the process, with the pragmas set at open.
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import path from "node:path";

export type Db = Database.Database;

export interface OpenOptions {
  /**
   * How long a statement waits for a foreign lock before SQLITE_BUSY. Kept short because
   * better-sqlite3 waits synchronously (the whole process would stall); longer waits are retried
   * on timers by db/retry.ts.
   */
  busyTimeoutMs?: number;
}

export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  // FULL: a committed terminal record or progress offset survives power loss.
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 250}`);
  return db;
}
