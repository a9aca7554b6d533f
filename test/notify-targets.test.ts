// The notify_targets table (migration 012) on a real SQLite file: KILN_NOTIFY_URLS synced at every
// start keeps a URL's row (so a message recorded before a restart finds its target again), and a
// target that goes away takes its unsent messages with it, saying why. And the worker keeps targets
// apart: one that is down costs one attempt per pass and never holds up the others.
import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../src/db/open.js";
import { migrate } from "../src/db/migrate.js";
import { Conflict, InvalidInputError } from "../src/errors.js";
import { MIGRATIONS_DIR } from "../src/paths.js";
import { activeTargetRows, addTargetRow, channelOf, removeTargetRow, syncEnvTargets } from "../src/notify/targets.js";
import { enqueue, getOutboxRow } from "../src/notify/outbox.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { freePort } from "./helpers/testhost.js";
import { startStandin } from "./helpers/notify-standin.js";
import { createLogger } from "../src/log.js";
import { OutboxWorker } from "../src/notify/worker.js";
import { pushNotifier } from "../src/notify/push/notifier.js";
import { parseTargetUrl } from "../src/notify/push/channels.js";
import type { Notifier } from "../src/notify/index.js";

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
    const malformed = addTargetRow(db, "telegram://1:x@telegram", "admin");
    expect(malformed.ok).toBe(false);
    expect(!malformed.ok && malformed.error).toBeInstanceOf(InvalidInputError);
    expect(!malformed.ok && malformed.error.message).toMatch(/at least one chat/);
    const added = addTargetRow(db, ` ${B} `, "admin");
    expect(added).toMatchObject({ ok: true });
    for (const url of [B, A]) {
      const twice = addTargetRow(db, url, "admin");
      expect(!twice.ok && twice.error).toBeInstanceOf(Conflict);
    }
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

describe("the worker across targets", () => {
  const notifier = (name: string, url: string, timeoutMs = 2000): [string, Notifier] => {
    const p = parseTargetUrl(url);
    if (!p.ok) throw new Error(p.error);
    return [name, pushNotifier(name, p.target, { timeoutMs })];
  };
  const row = (channel: string, key: string) => enqueue(db, {
    channel, dedupeKey: key, kind: "test", recipients: [], subject: "s", text: "t", html: "",
    payload: JSON.stringify({ id: key, event: "test", title: "s", text: "t", url: null, priority: "normal", host: null, drive: null, verdict: null, jobs: [], attention: null, at: "x" }),
  }, 1000)!;

  it("ends an attempt that gets no answer at the timeout, and tries again later", async () => {
    const standin = await startStandin();
    try {
      let now = 2000;
      const id = row("push:hung", "h1");
      const w = new OutboxWorker({ db, notifiers: new Map([notifier("push:hung", `generic+http://127.0.0.1:${standin.port}/hang`, 1000)]), log: createLogger("silent"), now: () => now, backoff: { baseMs: 1000, capMs: 1000 } });
      expect(await w.tick()).toBe(0);
      expect(getOutboxRow(db, id)).toMatchObject({ status: "pending", attempts: 1, last_error: "no answer from webhook within 1 s", next_attempt_at: 3000 });
      now = 3000;
      await w.tick();
      expect(getOutboxRow(db, id)).toMatchObject({ status: "pending", attempts: 2 });
      await standin.waitFor((r) => r.path === "/hang"); // the requests did go out
    } finally {
      await standin.dispose();
    }
  });

  it("tries a down target once per pass and still sends to the others", async () => {
    const standin = await startStandin();
    try {
      const closed = await freePort(); // nothing listens there
      const notifiers = new Map([notifier("push:down", `generic+http://127.0.0.1:${closed}/in`), notifier("push:up", `generic+http://127.0.0.1:${standin.port}/in`)]);
      const [d1, d2, u1] = [row("push:down", "w1"), row("push:down", "w2"), row("push:up", "w3")];
      const w = new OutboxWorker({ db, notifiers, log: createLogger("silent"), now: () => 2000 });
      expect(await w.tick()).toBe(1);
      expect(getOutboxRow(db, d1)).toMatchObject({ status: "pending", attempts: 1, last_error: expect.stringMatching(/cannot reach webhook: ECONNREFUSED/) });
      expect(getOutboxRow(db, d2)).toMatchObject({ status: "pending", attempts: 0 });
      expect(getOutboxRow(db, u1)).toMatchObject({ status: "sent", attempts: 1 });
      expect(standin.requests().map((r) => r.headers["x-kiln-delivery"])).toEqual(["w3"]);
    } finally {
      await standin.dispose();
    }
  });
});
