// Installs the smartctl stand-in for drive hardware (smartctl-standin.cjs): loop devices cannot
// answer SMART, so the test host puts this `smartctl` first on its PATH (startTestSshd's
// pathPrefix) and it answers per device from fixtures the test picks and may change at run time.
// Everything else stays real: sshd, the shell, badblocks, the loop devices.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { registerCleanup } from "./cleanup.js";
import { makeTempDir } from "./tempdir.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.join(HERE, "smartctl-standin.cjs");

/** A fixture written from smartctl's documented JSON schema: test/fixtures/smart/<name>-documented-schema.json. */
export function smartFixturePath(name: string): string {
  const p = path.resolve(HERE, "../fixtures/smart", `${name}-documented-schema.json`);
  if (!existsSync(p)) throw new Error(`no SMART fixture ${p}`);
  return p;
}

export interface StandInDrive {
  /** Absolute path of the smartctl JSON the device answers with. */
  fixture: string;
  serial?: string;
  temperatureC?: number;
  /** How long a short / long self-test runs on this device (default 4 s / 8 s). */
  shortSeconds?: number;
  longSeconds?: number;
  /** Self-tests end with a read failure (ATA) or failed segments (NVMe) instead of passing. */
  selfTestFails?: boolean;
  /** Answer like a device whose SMART cannot be read, with this message (exit 2). */
  unavailable?: string;
  /** Absolute path of the `smartctl -l farm --json` answer (Seagate FARM); without it `-l farm` says "not supported". */
  farmFixture?: string;
  /** Asleep: `-n standby` answers "in STANDBY mode" (exit 2) until a command without it wakes the drive. */
  standby?: boolean;
}

export interface StandInCall {
  at: number;
  device: string | null;
  args: string[];
  action: "read" | "start" | "abort" | "refused-start" | "real" | "unavailable" | "bad-fixture" | "farm" | "standby" | "woken";
  kind?: string | null;
  temperatureC?: number | null;
}

export interface SmartctlStandIn {
  /** Put this first on the test host's PATH. */
  readonly binDir: string;
  readonly dir: string;
  /** Presents `device` as a SMART drive (or replaces what it presents; self-test state is kept). */
  set(device: string, drive: StandInDrive): void;
  update(device: string, patch: Partial<StandInDrive>): void;
  remove(device: string): void;
  /** Every call so far, optionally only those for `device`. */
  calls(device?: string): StandInCall[];
  dispose(): void;
}

const resolveDevice = (d: string) => (existsSync(d) ? realpathSync(d) : d);

export function installSmartctlStandIn(): SmartctlStandIn {
  const dir = makeTempDir("smartctl-standin");
  const binDir = path.join(dir, "bin");
  mkdirSync(binDir);
  const target = path.join(binDir, "smartctl");
  copyFileSync(SCRIPT, `${target}.cjs`);
  writeFileSync(target, `#!${process.execPath}\nrequire(${JSON.stringify(`${target}.cjs`)});\n`);
  chmodSync(target, 0o755);
  const mapFile = path.join(dir, "map.json");
  const map: Record<string, StandInDrive> = {};
  const write = () => {
    writeFileSync(`${mapFile}.tmp`, JSON.stringify(map, null, 2));
    renameSync(`${mapFile}.tmp`, mapFile); // atomic: a smartctl call never sees half a map
  };
  write();
  const unregister = registerCleanup(`smartctl stand-in in ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  return {
    binDir,
    dir,
    set(device, drive) {
      map[resolveDevice(device)] = drive;
      write();
    },
    update(device, patch) {
      const key = resolveDevice(device);
      if (!map[key]) throw new Error(`the stand-in does not present ${device}`);
      map[key] = { ...map[key]!, ...patch };
      write();
    },
    remove(device) {
      delete map[resolveDevice(device)];
      write();
    },
    calls(device) {
      const file = path.join(dir, "calls.log");
      if (!existsSync(file)) return [];
      const all = readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as StandInCall);
      return device === undefined ? all : all.filter((c) => c.device === resolveDevice(device));
    },
    dispose() {
      unregister();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
