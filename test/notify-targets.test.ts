// The notify_targets table (migration 012) on a real SQLite file: KILN_NOTIFY_URLS synced at every
// start keeps a URL's row (so a message recorded before a restart finds its target again), and a
// target that goes away takes its unsent messages with it, saying why.
import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../src/db/open.js";
import { migrate } from "../src/db/migrate.js";
import { MIGRATIONS_DIR } from "../src/paths.js";
import { activeTargetRows, addTargetRow, channelOf, removeTargetRow, syncEnvTargets } from "../src/notify/targets.js";
import { enqueue, getOutboxRow } from "../src/notify/outbox.js";
import { makeTempDir } from "./helpers/tempdir.js";

let dir: string;
let db: Db;
const A = "ntfy://ntfy.sh/topic-a";
const B = "discord://tok@123";
const pending = (id: number) => enqueue(db, { channel: channelOf(id), dedupeKey: `k:${id}:${Math.random()}`, kind: "test", recipients: [], subject: "s", text: "t", html: "", payload: "{}" }, Date.now())!;
const active = () => activeTargetRows(db).map((r) => [r.url, r.source]);

beforeAll(() => {
  dir = makeTempDir("targets");
  db = openDatabase(path.join(dir, "kiln.db"));
  migrate(db, MIGRATIONS_DIR);
});
afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("notify targets", () => {
  it("keeps an env URL's row across starts and retires one that left the environment", () => {
    syncEnvTargets(db, [A, B]);
    const [a, b] = activeTargetRows(db);
    syncEnvTargets(db, [A, B]);
    expect(activeTargetRows(db).map((r) => r.id)).toEqual([a!.id, b!.id]);
    const waiting = pending(b!.id);
    syncEnvTargets(db, [A]);
    expect(active()).toEqual([[A, "env"]]);
    expect(getOutboxRow(db, waiting)).toMatchObject({ status: "failed", last_error: "the target was removed from KILN_NOTIFY_URLS" });
  });

  it("adds settings targets once, refuses malformed ones, and removes only its own", () => {
    expect(addTargetRow(db, "telegram://1:x@telegram", "admin")).toMatchObject({ ok: false, status: 400, error: expect.stringMatching(/at least one chat/) });
    const added = addTargetRow(db, ` ${B} `, "admin");
    expect(added).toMatchObject({ ok: true });
    expect(addTargetRow(db, B, "admin")).toMatchObject({ ok: false, status: 409 });
    expect(addTargetRow(db, A, "admin")).toMatchObject({ ok: false, status: 409 });
    const id = (added as { id: number }).id;
    const waiting = pending(id);
    const envId = activeTargetRows(db).find((r) => r.source === "env")!.id;
    expect(removeTargetRow(db, envId)).toBe("from-env");
    expect(removeTargetRow(db, id)).toBe("removed");
    expect(removeTargetRow(db, id)).toBe("missing");
    expect(getOutboxRow(db, waiting)).toMatchObject({ status: "failed", last_error: "the target was removed" });
    expect(active()).toEqual([[A, "env"]]);
  });

  it("adopts a settings target that the environment now lists too", () => {
    const added = addTargetRow(db, B, "admin") as { id: number };
    syncEnvTargets(db, [A, B]);
    expect(activeTargetRows(db).find((r) => r.url === B)).toMatchObject({ id: added.id, source: "env" });
  });
});
