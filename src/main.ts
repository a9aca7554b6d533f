// Kiln's entry: read the config, start, stop cleanly on SIGTERM/SIGINT (remote burn-ins keep running).
import { loadConfig, ConfigError } from "./config.js";
import { createLogger } from "./log.js";
import { startKiln } from "./kiln.js";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  // A safety net: every background loop catches its own errors; one that slips through is a bug to
  // log, not a reason to stop following burn-ins.
  process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection (a bug); Kiln keeps running"));
  const kiln = await startKiln(config, log);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping; burn-ins keep running on their hosts");
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    kiln.close().then(() => process.exit(0), (err) => {
      log.error({ err }, "error while stopping");
      process.exit(1);
    });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
