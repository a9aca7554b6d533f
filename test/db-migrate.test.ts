import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/open.js";
import { loadMigrations, migrate } from "../src/db/migrate.js";
import { MIGRATIONS_DIR } from "../src/paths.js";

const dir = mkdtempSync(path.join(tmpdir(), "kiln-test-db-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("migrations", () => {
  it("applies every numbered migration to a fresh file and records each one", () => {
    const db = openDatabase(path.join(dir, "fresh.db"));
    const applied = migrate(db, MIGRATIONS_DIR);
    const files = loadMigrations(MIGRATIONS_DIR);
    expect(files.length).toBeGreaterThan(0);
    expect(applied).toEqual(files.map((m) => m.version));
    const recorded = db.prepare("SELECT version FROM schema_migrations ORDER BY version").pluck().all();
    expect(recorded).toEqual(applied);
    db.close();
  });

  it("is idempotent: a second run applies nothing", () => {
    const db = openDatabase(path.join(dir, "again.db"));
    migrate(db, MIGRATIONS_DIR);
    expect(migrate(db, MIGRATIONS_DIR)).toEqual([]);
    db.close();
  });

  it("opens with WAL, foreign keys, a busy timeout and synchronous=FULL", () => {
    const db = openDatabase(path.join(dir, "pragmas.db"));
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(db.pragma("busy_timeout", { simple: true })).toBeGreaterThan(0);
    expect(db.pragma("synchronous", { simple: true })).toBe(2);
    db.close();
  });

  it("refuses a second active job on the same drive", () => {
    const db = openDatabase(path.join(dir, "unique.db"));
    migrate(db, MIGRATIONS_DIR);
    db.prepare("INSERT INTO hosts (id, name, address, username, host_key_fingerprint) VALUES (1,'h','127.0.0.1','root','SHA256:x')").run();
    db.prepare("INSERT INTO drives (id, host_id, identity_key, path, dev_name, dev_path, size_bytes, confirm_name) VALUES (1,1,'dev:loop0','/dev/loop0','loop0','/dev/loop0',1,'loop0')").run();
    const ins = db.prepare("INSERT INTO jobs (drive_id, host_id, status, stages_json, device_path) VALUES (1, 1, ?, '[]', '/dev/loop0')");
    ins.run("running");
    expect(() => ins.run("queued")).toThrow(/UNIQUE/);
    ins.run("failed");
    db.close();
  });

  it("rolls a failing migration back whole and records nothing", () => {
    const bad = mkdtempSync(path.join(dir, "bad-"));
    writeFileSync(path.join(bad, "001_ok.sql"), "CREATE TABLE a (x INTEGER);");
    writeFileSync(path.join(bad, "002_broken.sql"), "CREATE TABLE b (y INTEGER); CREATE TABLE oops (;");
    const db = openDatabase(path.join(dir, "broken.db"));
    expect(() => migrate(db, bad)).toThrow();
    expect(db.prepare("SELECT version FROM schema_migrations").pluck().all()).toEqual([1]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
    db.close();
  });
});

describe("paused time", () => {
  it("sums closed and open pauses from the job's notes", async () => {
    const { pausedMs } = await import("../src/jobs/repo.js");
    const db = openDatabase(path.join(dir, "paused.db"));
    migrate(db, MIGRATIONS_DIR);
    db.prepare("INSERT INTO hosts (id, name, address, username, host_key_fingerprint) VALUES (1,'h','127.0.0.1','root','SHA256:x')").run();
    db.prepare("INSERT INTO drives (id, host_id, identity_key, path, dev_name, dev_path, size_bytes, confirm_name) VALUES (1,1,'dev:loop0','/dev/loop0','loop0','/dev/loop0',1,'loop0')").run();
    db.prepare("INSERT INTO jobs (id, drive_id, host_id, stages_json, device_path) VALUES (1, 1, 1, '[]', '/dev/loop0')").run();
    const ev = db.prepare("INSERT INTO job_events (job_id, at, kind, text) VALUES (1, ?, ?, '')");
    ev.run("2026-01-01T00:00:00.000Z", "paused");
    ev.run("2026-01-01T00:10:00.000Z", "resumed-temp");
    ev.run("2026-01-01T01:00:00.000Z", "paused");
    expect(pausedMs(db, 1, Date.parse("2026-01-01T01:05:00.000Z"))).toBe(15 * 60_000);
    db.close();
  });
});
