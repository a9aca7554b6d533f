// Numbered .sql migrations, each applied in its own transaction and recorded in schema_migrations.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Db } from "./open.js";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f))
    .map((f) => ({ version: Number.parseInt(f, 10), name: f, sql: readFileSync(path.join(dir, f), "utf8") }))
    .sort((a, b) => a.version - b.version);
}

/** Applies every migration not yet recorded; returns the versions applied now. */
export function migrate(db: Db, dir: string): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))`);
  const applied = new Set(
    db.prepare("SELECT version FROM schema_migrations").pluck().all() as number[],
  );
  const done: number[] = [];
  for (const m of loadMigrations(dir)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name) VALUES (?, ?)").run(m.version, m.name);
    }).immediate();
    done.push(m.version);
  }
  return done;
}
