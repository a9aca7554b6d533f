// Fills a Kiln database with a year of finished burn-ins, written the way Kiln writes them: hosts,
// drives, jobs with their five stages (the surface stage's saved parser state and summary), SMART
// before/after snapshots with the raw smartctl JSON (the real fixture), job events, bad blocks of
// the failed ones, log tails, and samples at the rate retention leaves them (one per 10 minutes;
// KILN_THIN_SAMPLES_DAYS thins finished jobs' one-a-minute samples to that).
import { readFileSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { ROOT, MIGRATIONS_DIR } from "../src/paths.js";
import { openDatabase } from "../src/db/open.js";
import { migrate } from "../src/db/migrate.js";
import { feed, initialState, summary } from "../src/badblocks/progress.js";
import { parseSmartctl } from "../src/smart/parse.js";

const STAGES = ["precheck", "smart_short", "surface_validate", "smart_long", "final_check"];
const MODELS = ["ST8000VN004-2M2101", "WDC WD80EFZZ-68BTXN0", "TOSHIBA MG08ACA16TE", "ST16000NM001G-2KK103", "WDC WUH721818ALE6L4"];
const SAMPLE_EVERY_MIN = 10;

/** A small deterministic random source, so two runs fill the same database. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

export interface Filled {
  file: string;
  jobs: number;
  samples: number;
  events: number;
  /** Hosts by name, for filters. */
  hostNames: string[];
  /** A serial fragment that matches a few drives, and a day with jobs. */
  serialFragment: string;
  midDay: string;
  seconds: number;
}

export function fillHistory(file: string, jobs: number, now = Date.parse("2026-12-01T00:00:00Z")): Filled {
  const t0 = performance.now();
  const db = openDatabase(file);
  db.pragma("synchronous = OFF"); // filling only; Kiln opens it with FULL
  migrate(db, MIGRATIONS_DIR);
  const rnd = rng(15);
  const smartRaw = JSON.parse(readFileSync(path.join(ROOT, "test/fixtures/smart/ata-healthy-documented-schema.json"), "utf8"));
  const parsed = parseSmartctl(smartRaw, 0);
  if (!parsed.ok) throw new Error(parsed.reason);
  const smartJson = JSON.stringify(parsed.snapshot);
  const smartRawJson = JSON.stringify(smartRaw);
  const log = readFileSync(path.join(ROOT, "test/fixtures/badblocks/good-slow.stderr"));
  const state = feed(initialState(), log).state;
  const parserJson = JSON.stringify(state);
  const detailJson = JSON.stringify({ summary: summary(state), blockSize: 4096, blocksAtOnce: 64 });
  const tail = JSON.stringify(["Checking for bad blocks in read-write mode", "From block 0 to 1953506645", "Testing with pattern 0xaa: done",
    "Reading and comparing: done", "Testing with pattern 0x55: done", "Reading and comparing: done", "Testing with pattern 0xff: done",
    "Reading and comparing: done", "Testing with pattern 0x00: done", "Reading and comparing: done", "Pass completed, 0 bad blocks found. (0/0/0 errors)"]);
  const hostNames = Array.from({ length: 10 }, (_, i) => `rack-${String(i + 1).padStart(2, "0")}`);
  const ins = {
    host: db.prepare("INSERT INTO hosts (name, address, port, username, work_dir, host_key_fingerprint, status) VALUES (?, ?, 22, 'root', '/var/lib/kiln', ?, 'online')"),
    drive: db.prepare(`INSERT INTO drives (host_id, identity_key, path, dev_name, dev_path, serial, wwn, model, firmware, size_bytes, rotational,
      transport, confirm_name, smart_available, present) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'SC60', ?, 1, 'sata', ?, 1, 0)`),
    job: db.prepare(`INSERT INTO jobs (drive_id, host_id, batch_id, status, stages_json, options_json, device_path, percent, started_at,
      finished_at, error_text, bad_block_count, created_by, created_at, host_dirs_removed_at, samples_thinned_at)
      VALUES (?, ?, ?, ?, ?, '{"patterns":["0xaa","0x55","0xff","0x00"]}', ?, ?, ?, ?, ?, ?, 'admin@10.0.0.5', ?, ?, ?)`),
    stage: db.prepare(`INSERT INTO stages (job_id, seq, name, status, percent, started_at, finished_at, remote_dir, log_offset, bb_offset, parser_state, detail_json)
      VALUES (?, ?, ?, ?, 100, ?, ?, ?, ?, 0, ?, ?)`),
    smart: db.prepare("INSERT INTO smart_snapshots (job_id, kind, taken_at, json, raw_json) VALUES (?, ?, ?, ?, ?)"),
    event: db.prepare("INSERT INTO job_events (job_id, at, kind, text) VALUES (?, ?, ?, ?)"),
    bad: db.prepare("INSERT OR IGNORE INTO bad_blocks (job_id, block) VALUES (?, ?)"),
    tail: db.prepare("INSERT INTO job_log_tail (job_id, lines) VALUES (?, ?)"),
    sample: db.prepare("INSERT OR IGNORE INTO job_samples (job_id, at, temperature_c, mbps, percent) VALUES (?, ?, ?, ?, ?)"),
  };
  const iso = (ms: number) => new Date(ms).toISOString();
  let samples = 0;
  let events = 0;
  let serialFragment = "";
  db.transaction(() => hostNames.forEach((n, i) => ins.host.run(n, `10.0.1.${i + 1}`, `SHA256:bench${i}`)))();
  const yearMs = 365 * 86_400_000;
  const BATCH = 2000;
  for (let first = 0; first < jobs; first += BATCH) {
    db.transaction(() => {
      let batchId = randomUUID();
      let batchLeft = 0;
      for (let n = first; n < Math.min(jobs, first + BATCH); n++) {
        if (batchLeft-- <= 0) {
          batchId = randomUUID();
          batchLeft = 1 + Math.floor(rnd() * 24);
        }
        const hostId = 1 + (n % hostNames.length);
        const serial = `ZL${(100000 + n).toString(36).toUpperCase()}${Math.floor(rnd() * 1e4)}`;
        if (n === Math.floor(jobs / 2)) serialFragment = serial.slice(2, 6).toLowerCase();
        const size = [8e12, 16e12, 18e12][n % 3]!;
        const dev = `sd${String.fromCharCode(97 + (n % 26))}${String.fromCharCode(97 + Math.floor(n / 26) % 26)}`;
        const driveId = Number(ins.drive.run(hostId, `serial:${serial}`, `/dev/disk/by-id/ata-${serial}`, dev, `/dev/${dev}`, serial,
          `0x5000c500${(n + 0x10000).toString(16)}`, MODELS[n % MODELS.length], size, `${dev}-${serial.slice(-4)}`).lastInsertRowid);
        const created = now - yearMs + Math.floor((n / jobs) * yearMs);
        const started = created + 60_000;
        const hours = 8 + rnd() * 64;
        const finished = started + Math.floor(hours * 3_600_000);
        const r = rnd();
        const status = r < 0.94 ? "passed" : r < 0.98 ? "failed" : r < 0.995 ? "cancelled" : "unknown";
        const badCount = status === "failed" ? 1 + Math.floor(rnd() * 200) : 0;
        const old = finished < now - 90 * 86_400_000;
        const jobId = Number(ins.job.run(driveId, hostId, batchId, status, JSON.stringify(STAGES), `/dev/disk/by-id/ata-${serial}`,
          status === "passed" ? 100 : 40 + rnd() * 59, iso(started), iso(finished),
          status === "passed" ? null : status === "failed" ? `${badCount} bad blocks found` : "cancelled by admin",
          badCount, iso(created), old ? iso(finished + 30 * 86_400_000) : null, old ? iso(finished + 90 * 86_400_000) : null).lastInsertRowid);
        const span = finished - started;
        STAGES.forEach((name, seq) => {
          const surface = name === "surface_validate";
          ins.stage.run(jobId, seq, name, status === "passed" ? "passed" : seq < 2 ? "passed" : seq === 2 ? (status === "failed" ? "failed" : status) : "cancelled",
            iso(started + (span * seq) / 5), iso(started + (span * (seq + 1)) / 5),
            surface ? `/var/lib/kiln/jobs/${jobId}-${seq}` : null, surface ? Math.floor(hours * 3600 * 18) : 0,
            surface ? parserJson : null, surface ? detailJson : null);
        });
        ins.smart.run(jobId, "before", iso(started), smartJson, smartRawJson);
        if (status === "passed") ins.smart.run(jobId, "after", iso(finished), smartJson, smartRawJson);
        const ev: [string, string][] = [
          ["created", "created by admin@10.0.0.5"], ["started", "started"], ["smart", "SMART before: healthy, 0 reallocated, 0 pending"],
          ["smart", "short self-test started (about 2 minutes)"], ["smart", "short self-test passed"], ["launch", "launched badblocks (process group 41234)"],
          ["smart", "long self-test started (about 1040 minutes)"], ["smart", "long self-test passed"], ["smart", "SMART after: no change"],
          ["ended", `ended ${status}`],
        ];
        ev.forEach(([kind, text], i) => ins.event.run(jobId, iso(started + (span * i) / ev.length), kind, text));
        events += ev.length;
        for (let b = 0; b < badCount; b++) ins.bad.run(jobId, 1_000_000 + Math.floor(rnd() * 1e9));
        ins.tail.run(jobId, tail);
        for (let t = started; t < finished; t += SAMPLE_EVERY_MIN * 60_000) {
          ins.sample.run(jobId, iso(t), 32 + rnd() * 8, 150 + rnd() * 100, Math.min(100, ((t - started) / span) * 100));
          samples++;
        }
      }
    })();
  }
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  return { file, jobs, samples, events, hostNames, serialFragment, midDay: iso(now - yearMs / 2).slice(0, 10), seconds: (performance.now() - t0) / 1000 };
}
