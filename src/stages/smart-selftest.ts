// smart_short / smart_long: start the drive's own self-test, follow its progress from the drive,
// and finish when the self-test log shows its result. On cancel the test is aborted on the drive
// (smartctl -X). A test already running that this job did not start is aborted and replaced: its
// kind and start are unknown, so its result could not stand for this stage (say so in the notes).
import type { HostVerbs } from "../hosts/verbs.js";
import type { SmartSnapshot } from "../smart/model.js";
import { newWatch, observeSelfTest, type SelfTestWatch } from "../smart/selftest-watch.js";
import { sleep } from "../stage-kit/sleep.js";
import type { StageContext, StageImpl, StageResult } from "../stage-kit/types.js";

type Kind = "short" | "long";

/** Give up when a started test never shows up as running nor in the log. */
const NO_SIGN_MS = 120_000;
/** After the test stopped running, readings to wait for its log entry before deciding without it. */
const QUIET_AFTER_RUNNING = 5;
/** Failed readings in a row before the stage gives up (the drive's test goes on regardless). */
const MAX_READ_FAILURES = 10;

/** A drive as the SMART verbs see it: the host's port and the device path. */
interface SmartTarget {
  port: HostVerbs;
  device: string;
}

interface Detail {
  selfTest: SelfTestWatch;
}

/** Poll about 100 times over the drive's own estimate, between 1 and 30 seconds apart. */
export function pollMsFor(minutes: number | null, kind: Kind): number {
  const m = minutes ?? (kind === "short" ? 2 : 240);
  return Math.max(1000, Math.min(30_000, Math.round((m * 60_000) / 100)));
}

function pollingMinutes(s: SmartSnapshot, kind: Kind): number | null {
  return kind === "short" ? s.selfTest.pollingMinutes.short : s.selfTest.pollingMinutes.extended;
}

async function mustRead(t: SmartTarget): Promise<SmartSnapshot> {
  const r = await t.port.smart(t.device, "selftest");
  if (!r.ok) throw new Error(`SMART could not be read: ${r.reason}`);
  return r.snapshot;
}

async function cancelled(ctx: StageContext, t: SmartTarget, kind: Kind): Promise<StageResult> {
  const out = await t.port.smartCommand(t.device, "abort").catch((err: Error) => ({ ok: false, message: err.message }));
  ctx.recorder.note("cancel", `smartctl -X sent to abort the ${kind} self-test: ${out.message}`);
  return { status: "cancelled", errorText: `cancelled; the ${kind} self-test was aborted on the drive (smartctl -X)` };
}

/** Aborts a test this job did not start and waits until the drive reports it stopped. */
async function clearForeignTest(ctx: StageContext, t: SmartTarget, kind: Kind, s: SmartSnapshot): Promise<SmartSnapshot> {
  const left = s.selfTest.remainingPercent === null ? "" : ` (${s.selfTest.remainingPercent}% remaining)`;
  ctx.recorder.note("smart",
    `a self-test this job did not start was running${left}: aborted it with smartctl -X and started a fresh ${kind} test, ` +
    "because a test of unknown kind and start time cannot stand for this stage");
  await t.port.smartCommand(t.device, "abort");
  for (let i = 0; i < 10 && s.selfTest.inProgress && !ctx.signal.aborted; i++) {
    await sleep(1000, ctx.signal);
    s = await mustRead(t);
  }
  if (s.selfTest.inProgress) throw new Error("the drive still reports a self-test running after smartctl -X");
  return s;
}

async function begin(ctx: StageContext, t: SmartTarget, kind: Kind, s: SmartSnapshot): Promise<SelfTestWatch | StageResult> {
  if (s.selfTest.inProgress) s = await clearForeignTest(ctx, t, kind, s);
  const started = await t.port.smartCommand(t.device, kind);
  if (!started.ok) return { status: "unknown", errorText: `the drive did not start the ${kind} self-test: ${started.message}` };
  const watch = newWatch(kind === "short" ? "short" : "extended", Date.now(), s.selfTestLog);
  ctx.recorder.setDetail({ selfTest: watch } satisfies Detail);
  ctx.recorder.note("smart", `${kind} self-test started (drive estimate ${pollingMinutes(s, kind) ?? "?"} min)`);
  return watch;
}

function verdictOf(kind: Kind, result: string, text: string): StageResult {
  if (result === "passed") return { status: "passed", errorText: null };
  if (result === "failed") return { status: "failed", errorText: `the ${kind} self-test failed: ${text}` };
  if (result === "aborted" || result === "interrupted") {
    return { status: "unknown", errorText: `the ${kind} self-test did not complete (${text}); it was stopped on the drive, not by Kiln` };
  }
  return { status: "unknown", errorText: `the ${kind} self-test ended without a clear result: ${text}` };
}

async function runSelfTest(ctx: StageContext, kind: Kind): Promise<StageResult> {
  const t: SmartTarget = { port: ctx.port, device: ctx.job.device_path };
  const saved = ctx.stage.detail_json ? (JSON.parse(ctx.stage.detail_json) as Partial<Detail>).selfTest : undefined;
  let s = await mustRead(t);
  if (!saved && s.selfTest.supported === false) return { status: "skipped", errorText: `${s.selfTest.unsupportedReason}; the verdict rests on the other stages` };
  if (ctx.signal.aborted) return saved ? cancelled(ctx, t, kind) : { status: "cancelled", errorText: "cancelled" };
  let watch: SelfTestWatch;
  if (saved) {
    watch = saved;
    ctx.recorder.note("smart", `following the ${kind} self-test started at ${new Date(saved.startedAt).toISOString()}`);
  } else {
    const begun = await begin(ctx, t, kind, s);
    if ("status" in begun) return begun;
    watch = begun;
  }
  const minutes = pollingMinutes(s, kind);
  const every = pollMsFor(minutes, kind);
  let failures = 0;
  for (;;) {
    await sleep(every, ctx.signal);
    if (ctx.signal.aborted) return cancelled(ctx, t, kind);
    try {
      s = await mustRead(t);
      failures = 0;
    } catch (err) {
      // The test runs on the drive whatever the SSH link does: ride out a few failed readings.
      if ((err as { permanent?: boolean }).permanent || ++failures > MAX_READ_FAILURES) throw err;
      ctx.log.warn({ err, failures }, "self-test reading failed; trying again");
      continue;
    }
    if (ctx.signal.aborted) return cancelled(ctx, t, kind);
    if (s.temperatureC !== null) ctx.recorder.temperature(s.temperatureC);
    const { watch: next, obs } = observeSelfTest(watch, s);
    if (next.sawRunning !== watch.sawRunning) ctx.recorder.setDetail({ selfTest: next } satisfies Detail);
    watch = next;
    if (obs.state === "done") return verdictOf(kind, obs.result, obs.text);
    if (obs.state === "running") {
      if (obs.percent !== null) ctx.recorder.percent(obs.percent);
      continue;
    }
    if (watch.sawRunning && obs.quietReadings >= QUIET_AFTER_RUNNING) {
      return { status: "unknown", errorText: `the ${kind} self-test stopped running but the self-test log shows no entry for it (drive status: ${s.selfTest.text ?? "none"})` };
    }
    if (!watch.sawRunning && Date.now() - watch.startedAt > NO_SIGN_MS) {
      return { status: "unknown", errorText: `the drive accepted the ${kind} self-test but never reported it running nor logged a result` };
    }
  }
}

export const smartShort: StageImpl["run"] = (ctx) => runSelfTest(ctx, "short");
export const smartLong: StageImpl["run"] = (ctx) => runSelfTest(ctx, "long");
