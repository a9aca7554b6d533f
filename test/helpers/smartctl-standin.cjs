// A stand-in for drive hardware: a `smartctl` that answers for the devices named in map.json with
// JSON fixtures instead of asking a disk (loop devices have no SMART). Installed by
// smartctl-standin.ts as <dir>/bin/smartctl, first on the test sshd's PATH. Everything it does is
// written to <dir>/calls.log, one JSON line per call, so tests can see what reached the host.
//   map.json: { "/dev/loop3": { fixture, serial?, temperatureC?, shortSeconds?, longSeconds?, selfTestFails?, unavailable?, farmFixture?, standby? } }
// A `standby` device sleeps until a command without `-n standby` wakes it (smartctl -n standby
// exits 2 with "Device is in STANDBY mode" for a sleeping drive and leaves it asleep).
// Self-tests count down in real time (per device, in <dir>/state/), are logged when they end, and
// `-X` aborts them. Devices not in the map get the real /usr/sbin/smartctl.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const DIR = path.dirname(path.dirname(fs.realpathSync(__filename)));
const REAL = "/usr/sbin/smartctl";
const args = process.argv.slice(2);
const devArg = [...args].reverse().find((a) => a.startsWith("/dev/"));
const real = (p) => { try { return fs.realpathSync(p); } catch { return p; } };
const device = devArg ? real(devArg) : null;
const readJson = (p, fallback) => { try { return JSON.parse(fs.readFileSync(p, "utf8")); } catch { return fallback; } };
const record = (action, extra = {}) =>
  fs.appendFileSync(path.join(DIR, "calls.log"), JSON.stringify({ at: Date.now(), pid: process.pid, device, args, action, ...extra }) + "\n");
const out = (obj, code) => { process.stdout.write(JSON.stringify(obj, null, 2) + "\n"); process.exit(code); };
const optValue = (short, long) => {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === short || args[i] === long) return args[i + 1];
    if (args[i].startsWith(long + "=")) return args[i].slice(long.length + 1);
  }
  return undefined;
};

const map = readJson(path.join(DIR, "map.json"), {});
const entry = device ? map[device] : undefined;
if (!entry) {
  record("real");
  const r = spawnSync(REAL, args, { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
const head = (exit, messages) => ({
  json_format_version: [1, 0],
  smartctl: { version: [7, 3], argv: ["smartctl", ...args], ...(messages ? { messages } : {}), exit_status: exit },
});
if (entry.unavailable) {
  record("unavailable");
  out(head(2, [{ string: `${devArg}: ${entry.unavailable}`, severity: "error" }]), 2);
}

// ---- a sleeping drive: `-n standby` (or `-n sleep`) leaves it asleep and says so; anything else wakes it
const awakeFile = path.join(DIR, "state", `${path.basename(device)}.awake`);
if (entry.standby && !fs.existsSync(awakeFile)) {
  const n = optValue("-n", "--nocheck");
  if (n && /^(standby|sleep)/.test(n)) {
    record("standby");
    out(head(2, [{ string: "Device is in STANDBY mode, exit(2)", severity: "information" }]), 2);
  }
  fs.mkdirSync(path.dirname(awakeFile), { recursive: true });
  fs.writeFileSync(awakeFile, String(Date.now()));
  record("woken");
}

// ---- per-device self-test state, under a lock (the stage and the temperature guard poll at once)
const stateFile = path.join(DIR, "state", `${path.basename(device)}.json`);
const lock = `${stateFile}.lock`;
fs.mkdirSync(path.dirname(stateFile), { recursive: true });
for (let i = 0; ; i++) {
  try { fs.mkdirSync(lock); break; } catch {
    if (i > 400) break; // a crashed holder: go on rather than hang
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
}
process.on("exit", () => { try { fs.rmdirSync(lock); } catch { /* gone */ } });
const state = readJson(stateFile, { running: null, log: [] });
const save = () => { fs.writeFileSync(`${stateFile}.tmp`, JSON.stringify(state)); fs.renameSync(`${stateFile}.tmp`, stateFile); };
const now = Date.now();
const remainingOf = (t) => Math.max(0, 1 - (now - t.startedAt) / (t.seconds * 1000));
if (state.running && remainingOf(state.running) === 0) {
  // A drive told to fail its self-tests reports a read failure with 90 % of the test left.
  state.log.unshift(entry.selfTestFails
    ? { kind: state.running.kind, result: "failed", at: now, remaining: 0.9 }
    : { kind: state.running.kind, result: "completed", at: now, remaining: 0 });
  state.running = null;
  save();
}

const fixture = readJson(entry.fixture, null);
if (!fixture) { record("bad-fixture"); out(head(1, [{ string: `stand-in: cannot read ${entry.fixture}`, severity: "error" }]), 1); }
const protocol = fixture.device && fixture.device.protocol;
const test = optValue("-t", "--test");
if (test === "short" || test === "long") {
  if (state.running) {
    const left = Math.round(remainingOf(state.running) * 100);
    record("refused-start", { kind: test });
    out(head(4, [{ string: `Can't start self-test without aborting current test (${left}% remaining), add '-t force' option to override, or run 'smartctl -X' to abort test.`, severity: "error" }]), 4);
  }
  const seconds = test === "short" ? entry.shortSeconds ?? 4 : entry.longSeconds ?? 8;
  state.running = { kind: test, startedAt: now, seconds };
  save();
  record("start", { kind: test, seconds });
  out({ ...head(0, [{ string: `Self-test (${test}) has begun`, severity: "information" }]), device: fixture.device }, 0);
}
if (args.includes("-X") || args.includes("--abort")) {
  const was = state.running;
  if (was) state.log.unshift({ kind: was.kind, result: "aborted", at: now, remaining: remainingOf(was) });
  state.running = null;
  save();
  record("abort", { kind: was ? was.kind : null });
  out({ ...head(0, [{ string: was ? "Self-testing aborted!" : "No self-test running", severity: "information" }]), device: fixture.device }, 0);
}

// ---- `-l farm`: the FARM capture named by `farmFixture`, else what smartctl 7.4 says of a drive without one
const logArg = optValue("-l", "--log");
if (logArg === "farm") {
  const farm = entry.farmFixture ? readJson(entry.farmFixture, null) : null;
  record("farm", { fixture: entry.farmFixture ? path.basename(entry.farmFixture) : null });
  if (farm) out({ ...farm, smartctl: { ...(farm.smartctl || {}), argv: ["smartctl", ...args] } }, 0);
  out({ ...head(4, [{ string: "FARM log (GP Log 0xa6) not supported for non-Seagate drives", severity: "error" }]), device: fixture.device }, 4);
}

// ---- a reading: the fixture, with this device's serial, temperature and self-test state
const j = JSON.parse(JSON.stringify(fixture));
j.smartctl = { ...(j.smartctl || {}), argv: ["smartctl", ...args] };
j.device = { ...(j.device || {}), name: devArg, info_name: devArg };
if (entry.serial) j.serial_number = entry.serial;
if (typeof entry.temperatureC === "number") {
  j.temperature = { ...(j.temperature || {}), current: entry.temperatureC };
  if (j.nvme_smart_health_information_log) j.nvme_smart_health_information_log.temperature = entry.temperatureC;
  const t194 = ((j.ata_smart_attributes || {}).table || []).find((a) => a.id === 194);
  if (t194) t194.raw = { value: entry.temperatureC, string: String(entry.temperatureC) };
}
const hours = (j.power_on_time && j.power_on_time.hours) || 0;
const ATA_TYPE = { short: { value: 1, string: "Short offline" }, long: { value: 2, string: "Extended offline" } };
const NVME_CODE = { short: { value: 1, string: "Short" }, long: { value: 2, string: "Extended" } };
if (protocol === "ATA" && j.ata_smart_data) {
  const r = state.running;
  const last = state.log[0];
  const tens = r ? Math.min(9, Math.ceil(remainingOf(r) * 10)) : 0;
  j.ata_smart_data.self_test = {
    ...(j.ata_smart_data.self_test || {}),
    status: r ? { value: 0xf0 + tens, string: `in progress, ${tens * 10}% remaining`, remaining_percent: tens * 10 }
      : last && last.result === "aborted" ? { value: 0x10, string: "was aborted by the host" }
      : last && last.result === "failed" ? { value: 0x79, string: "completed with read failure", passed: false }
      : last ? { value: 0, string: "completed without error", passed: true }
      : (j.ata_smart_data.self_test || {}).status,
  };
  const table = (((j.ata_smart_self_test_log || {}).standard || {}).table || []).slice();
  for (const e of [...state.log].reverse()) {
    const rem = Math.min(9, Math.ceil(e.remaining * 10));
    table.unshift({ type: ATA_TYPE[e.kind], lifetime_hours: hours,
      status: e.result === "aborted" ? { value: 0x10 + rem, string: "Aborted by host", remaining_percent: rem * 10 }
        : e.result === "failed" ? { value: 0x70 + rem, string: "Completed: read failure", remaining_percent: rem * 10, passed: false }
        : { value: 0, string: "Completed without error", passed: true } });
  }
  j.ata_smart_self_test_log = { standard: { revision: 1, table: table.slice(0, 21), count: table.length, error_count_total: 0, error_count_outdated: 0 } };
}
if (protocol === "NVMe") {
  const r = state.running;
  const table = ((j.nvme_self_test_log || {}).table || []).slice();
  for (const e of [...state.log].reverse()) {
    table.unshift({ self_test_code: NVME_CODE[e.kind], power_on_hours: hours,
      self_test_result: e.result === "aborted" ? { value: 1, string: "Aborted: Self-test command" }
        : e.result === "failed" ? { value: 7, string: "Completed: failed segments" }
        : { value: 0, string: "Completed without error" } });
  }
  j.nvme_self_test_log = {
    current_self_test_operation: r ? { value: NVME_CODE[r.kind].value, string: `${NVME_CODE[r.kind].string} self-test in progress` } : { value: 0, string: "No self-test in progress" },
    ...(r ? { current_self_test_completion_percent: Math.floor((1 - remainingOf(r)) * 100) } : {}),
    table: table.slice(0, 20),
  };
}
record("read", { fixture: path.basename(entry.fixture), temperatureC: entry.temperatureC ?? null, running: state.running ? state.running.kind : null });
out(j, (fixture.smartctl && fixture.smartctl.exit_status) || 0);
