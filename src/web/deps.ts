// What the web layer is given: the database, the core services and the event hub.
import type { Db } from "../db/open.js";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import type { EventHub } from "../events/hub.js";
import type { HostService } from "../hosts/service.js";
import type { JobService } from "../jobs/service.js";
import type { Notifications } from "../notify/wiring.js";
import type { RetentionSweeper } from "../retention/sweeper.js";

export interface AppDeps {
  db: Db;
  config: Config;
  log: Logger;
  hub: EventHub;
  hosts: HostService;
  jobs: JobService;
  notify: Notifications;
  retention: RetentionSweeper;
  sshPublicKey: string;
  version: string;
}
