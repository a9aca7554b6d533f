// Secrets at rest: the data dir holds the database (with per-host private keys), Kiln's SSH key and
// the pid marker. Whatever the umask, the dir is 0700 and those files 0600; files made before this
// rule (or copied in) are tightened at every start.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync } from "node:fs";
import path from "node:path";

const DATA_DIR_MODE = 0o700;
export const SECRET_FILE_MODE = 0o600;

function databasePath(dataDir: string): string {
  return path.join(dataDir, "kiln.db");
}

/**
 * Makes the data dir (0700) and creates the database file 0600 before SQLite opens it: SQLite gives
 * its -wal and -shm files the database file's mode. Existing files are chmod-ed to 0600.
 */
export function secureDataDir(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  chmodSync(dataDir, DATA_DIR_MODE);
  const db = databasePath(dataDir);
  if (!existsSync(db)) closeSync(openSync(db, "a", SECRET_FILE_MODE));
  for (const name of readdirSync(dataDir)) {
    if (/^kiln\.(db(-wal|-shm|-journal)?|pid)$/.test(name)) chmodSync(path.join(dataDir, name), SECRET_FILE_MODE);
  }
  const sshDir = path.join(dataDir, "ssh");
  if (existsSync(sshDir)) chmodSync(sshDir, DATA_DIR_MODE);
  return db;
}
