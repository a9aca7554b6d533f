// SMART snapshots in a real SQLite file (all migrations applied) and the before/after table the
// drawer shows, built from documented-schema fixtures (no drive hardware here).
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../src/db/open.js";
import { migrate } from "../src/db/migrate.js";
import { MIGRATIONS_DIR } from "../src/paths.js";
import { insertJobs } from "../src/jobs/repo.js";
import { parseSmartctl } from "../src/smart/parse.js";
import { latestSnapshot, saveSnapshot } from "../src/smart/store.js";
import { smartView } from "../src/smart/view.js";
import type { SmartSnapshot } from "../src/smart/model.js";
import { makeTempDir } from "./helpers/tempdir.js";

const dir = makeTempDir("smartdb");
let db: Db;
let jobId: number;

function snap(name: string): SmartSnapshot {
  const r = parseSmartctl(readFileSync(new URL(`./fixtures/smart/${name}-documented-schema.json`, import.meta.url), "utf8"));
  if (!r.ok) throw new Error(r.reason);
  return r.snapshot;
}

beforeAll(() => {
  db = openDatabase(path.join(dir, "kiln.db"));
  migrate(db, MIGRATIONS_DIR);
  db.prepare(`INSERT INTO hosts (id, name, address, username, host_key_fingerprint) VALUES (1, 'h', '127.0.0.1', 'root', 'SHA256:x')`).run();
  db.prepare(`INSERT INTO drives (id, host_id, identity_key, path, dev_name, dev_path, size_bytes, confirm_name)
              VALUES (1, 1, 'serial:KILN-ATA-0001', '/dev/sda', 'sda', '/dev/sda', 4000787030016, 'KILN-ATA-0001')`).run();
  [jobId] = insertJobs(db, [{ driveId: 1, hostId: 1, devicePath: "/dev/sda", stages: ["precheck", "final_check"], options: {}, createdBy: "t", batchId: "b" }]) as [number];
});

afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("SMART snapshots of a job", () => {
  it("shows nothing before any snapshot was taken", () => {
    expect(smartView(db, jobId)).toEqual({ protocol: null, beforeAt: null, afterAt: null, rows: [], verdict: null });
  });

  it("keeps the newest snapshot of each kind and returns it as stored", () => {
    saveSnapshot(db, jobId, "before", snap("ata-crc-grown"));
    saveSnapshot(db, jobId, "before", snap("ata-healthy"), { raw: true });
    expect(latestSnapshot(db, jobId, "before")?.snapshot).toEqual(snap("ata-healthy"));
    expect(latestSnapshot(db, jobId, "after")).toBeNull();
  });

  it("shows the before column alone until the after snapshot exists", () => {
    const v = smartView(db, jobId);
    expect(v.verdict).toBeNull();
    expect(v.rows.find((r) => r.key === "ata.197")).toMatchObject({ before: 0, after: null, changed: false });
  });

  it("marks the counters that changed and highlights the ones that got worse", () => {
    saveSnapshot(db, jobId, "after", snap("ata-pending-grown"));
    const v = smartView(db, jobId);
    expect(v.protocol).toBe("ATA");
    expect(v.verdict?.status).toBe("failed");
    const changed = v.rows.filter((r) => r.changed).map((r) => [r.name, r.before, r.after, r.worse]);
    expect(changed).toEqual([["Current_Pending_Sector", 0, 8, true]]);
    expect(v.rows.map((r) => r.key)).toEqual(expect.arrayContaining(["health", "ata.5", "ata.187", "ata.198", "ata.199", "temperature", "power_on_hours"]));
  });

  it("goes away with its job", () => {
    db.prepare("DELETE FROM jobs WHERE id = ?").run(jobId);
    expect(db.prepare("SELECT count(*) FROM smart_snapshots").pluck().get()).toBe(0);
  });
});
