// Wires Kiln together: database, keys, hosts, jobs, web. main.ts calls startKiln; tests do too.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { Config } from "./config.js";
import { createLogger, type Logger } from "./log.js";
import { openDatabase, type Db } from "./db/open.js";
import { migrate } from "./db/migrate.js";
import { MIGRATIONS_DIR, ROOT } from "./paths.js";
import { bootstrapAdmin } from "./auth/users.js";
import { ensureKilnKey } from "./ssh/keys.js";
import { EventHub } from "./events/hub.js";
import { HostRegistry } from "./hosts/registry.js";
import { HostService } from "./hosts/service.js";
import { Runner } from "./jobs/runner.js";
import { JobService } from "./jobs/service.js";
import { JobHooks } from "./jobs/hooks.js";
import { setupNotifications } from "./notify/wiring.js";
import { createApp } from "./web/app.js";
import { releaseMarker, takeMarker } from "./crash-marker.js";
import { RetentionSweeper } from "./retention/sweeper.js";
import { secureDataDir } from "./data-dir.js";
import { retryBusy } from "./db/retry.js";

export interface Kiln {
  url: string;
  db: Db;
  log: Logger;
  runner: Runner;
  hooks: JobHooks;
  registry: HostRegistry;
  hub: EventHub;
  retention: RetentionSweeper;
  close(): Promise<void>;
}

const VERSION = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;

export async function startKiln(config: Config, log: Logger = createLogger(config.logLevel)): Promise<Kiln> {
  const db = openDatabase(secureDataDir(config.dataDir));
  // Another process may hold the write lock while we start (a backup, a sqlite3 shell): wait for it.
  const startup = <T>(step: string, write: () => T | Promise<T>) =>
    retryBusy(write, 600_000, () => log.warn({ step }, "database busy at startup (another process holds a write lock); retrying"));
  const applied = await startup("migrate", () => migrate(db, MIGRATIONS_DIR));
  if (applied.length) log.info({ applied }, "migrations applied");
  const admin = await startup("bootstrap admin", () => bootstrapAdmin(db, config));
  if (admin === "created") log.info("bootstrap admin 'admin' created");
  if (admin === "needs-setup") log.warn("no admin yet: open the dashboard from this machine to create one");
  const key = ensureKilnKey(config.dataDir);
  if (key.movedAside) {
    log.error({ movedAside: key.movedAside }, "Kiln's SSH key could not be read (no host can have accepted it): moved aside, a new key made; paste the new public key on your hosts");
  }
  const crash = await startup("pid marker", () => takeMarker(db, config.dataDir));
  if (crash) log.error(crash, "the last Kiln run did not shut down cleanly (crash marker found)");

  const hub = new EventHub();
  const registry = new HostRegistry(db, key.privateKey, hub, log.child({ part: "hosts" }));
  const hosts = new HostService(db, registry, key.privateKey, hub, log.child({ part: "hosts" }));
  const hooks = new JobHooks();
  let jobs: JobService | undefined;
  const runner = new Runner({
    db, registry, hosts, log: log.child({ part: "runner" }), maxParallel: config.maxParallel,
    gateMs: config.gateSeconds * 1000, pollMs: config.pollMs,
    stuck: { warnMs: config.stuckWarnMs, limitMs: config.stuckLimitMs }, tempSampleMs: config.tempSampleMs, progressSeconds: config.progressSeconds, alertUnreachableMs: config.alertUnreachableMs, hooks, publish: (id) => jobs?.publish(id),
  });
  jobs = new JobService(db, hosts, runner, hooks, hub, log.child({ part: "jobs" }), registry);
  const notify = setupNotifications({ db, config, hooks, log: log.child({ part: "notify" }), version: VERSION });
  const retention = new RetentionSweeper({
    db, registry, log: log.child({ part: "retention" }),
    options: { jobDirDays: config.retainJobDirsDays, thinSamplesDays: config.thinSamplesDays },
  });
  retention.start();

  const app = createApp({ db, config, log, hub, hosts, jobs, notify, retention, sshPublicKey: key.publicKey, version: VERSION });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.bind, () => resolve(s));
    s.once("error", reject);
  });
  const addr = server.address() as AddressInfo;
  // Bound to every address: this machine's own URL is the loopback one (a Host Kiln answers to).
  const shown = addr.address === "0.0.0.0" ? "127.0.0.1" : addr.address === "::" ? "::1" : addr.address;
  const url = `http://${addr.family === "IPv6" ? `[${shown}]` : shown}:${addr.port}`;
  log.info({ url }, "Kiln is listening");
  // Listening first: /health, the dashboard and SSE clients are up while the jobs left running are
  // re-attached (the database is the truth either way: a request in between sees their rows).
  await startup("reconciliation", () => runner.start());
  notify.start(addr.port);

  return {
    url, db, log, runner, hooks, registry, hub, retention,
    async close() {
      runner.stop();
      retention.stop();
      await notify.close();
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      registry.closeAll();
      db.close();
      releaseMarker(config.dataDir);
    },
  };
}
