// Is each drive as fast as its siblings? Compares every drive of a batch with the median of the
// same-model drives measured in the same batch (at the same time, on the same hosts: whatever
// slowed the machine slowed them all), and each region of a drive with its own curve. Pure; the
// thresholds are in smart/speed-knowledge.ts.
import { SPEED_RULES } from "../badblocks/speed-knowledge.js";
import type { SpeedProfile } from "../stages/index.js";

export interface DriveSpeedInput {
  jobId: number;
  model: string | null;
  profile: SpeedProfile | null;
  /** Paused for temperature during the surface test: badblocks' clock ran on, so its speed is not comparable. */
  paused?: boolean;
}

export interface SpeedFlag {
  kind: "slower-than-siblings" | "slow-region";
  /** 0-based region, for slow-region. */
  region?: number;
  text: string;
}

export interface RegionComparison {
  region: number;
  /** "40–50 %": where on the disk, by LBA. */
  where: string;
  mbps: number | null;
  /** The median of the same region on same-model siblings. */
  siblingsMbps: number | null;
  /** The median of this drive's neighbouring regions (two each side): its own curve here. */
  curveMbps: number | null;
  /** Passes in which this region was below its curve by the threshold, of the passes that timed it. */
  slowPasses: number;
  timedPasses: number;
}

export interface DriveSpeedComparison {
  jobId: number;
  /** Same-model drives with a speed profile in the batch, this one included. */
  siblings: number;
  mbps: number | null;
  siblingsMbps: number | null;
  /** Percent this drive is above (+) or below (−) the siblings' median; null without enough siblings. */
  vsSiblingsPct: number | null;
  patterns: { pattern: string; mbps: number | null; siblingsMbps: number | null; vsSiblingsPct: number | null }[];
  regions: RegionComparison[];
  slow: boolean;
  flags: SpeedFlag[];
  /** Why a drive is not compared ("no surface test", "only 2 drives of this model"). */
  note: string | null;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);
const pct = (v: number | null, ref: number | null) => (v === null || ref === null || ref <= 0 ? null : Math.round(((v - ref) / ref) * 1000) / 10);
const nums = (xs: (number | null | undefined)[]) => xs.filter((x): x is number => typeof x === "number");

/** The median of up to two regions on each side of `k` (not `k` itself). */
function curveAt(values: (number | null)[], k: number): number | null {
  const around = [k - 2, k - 1, k + 1, k + 2].map((i) => values[i]);
  return median(nums(around));
}

function whereOf(k: number, regions: number): string {
  return `${Math.round((100 * k) / regions)}–${Math.round((100 * (k + 1)) / regions)} %`;
}

function regionsOf(profile: SpeedProfile, sameModel: SpeedProfile[]): RegionComparison[] {
  const limit = 1 - SPEED_RULES.regionBelowCurve;
  return profile.regionMbps.map((mbps, k) => {
    let slowPasses = 0;
    let timedPasses = 0;
    for (const pass of profile.passes) {
      const v = pass.regionMbps[k];
      const curve = curveAt(pass.regionMbps, k);
      if (v == null || curve === null) continue;
      timedPasses++;
      if (v < limit * curve) slowPasses++;
    }
    return {
      region: k,
      where: whereOf(k, profile.regions),
      mbps,
      siblingsMbps: round1(median(nums(sameModel.map((p) => p.regionMbps[k])))),
      curveMbps: round1(curveAt(profile.regionMbps, k)),
      slowPasses,
      timedPasses,
    };
  });
}

function flagsOf(c: Omit<DriveSpeedComparison, "slow" | "flags">): SpeedFlag[] {
  const flags: SpeedFlag[] = [];
  if (c.vsSiblingsPct !== null && c.vsSiblingsPct <= -100 * SPEED_RULES.slowerThanSiblings) {
    flags.push({
      kind: "slower-than-siblings",
      text: `${c.mbps} MB/s, ${Math.abs(c.vsSiblingsPct)} % below the median of ${c.siblings} same-model drives in this batch (${c.siblingsMbps} MB/s)`,
    });
  }
  for (const r of c.regions) {
    const needed = Math.ceil(SPEED_RULES.regionPassShare * r.timedPasses);
    if (r.timedPasses === 0 || r.slowPasses < needed || r.mbps === null || r.curveMbps === null) continue;
    if (r.mbps >= (1 - SPEED_RULES.regionBelowCurve) * r.curveMbps) continue;
    flags.push({
      kind: "slow-region",
      region: r.region,
      text: `region ${r.where} of the disk: ${r.mbps} MB/s, ${Math.abs(pct(r.mbps, r.curveMbps)!)} % below its own curve there (${r.curveMbps} MB/s), in ${r.slowPasses} of ${r.timedPasses} passes`,
    });
  }
  return flags;
}

/**
 * What "the same model" compares by: the model name, except that loop devices (which the scan
 * names after their backing file, "loop: /path/disk.img") are one model, "loop device".
 */
export function modelKey(model: string | null): string {
  if (model === null) return "";
  return /^loop(:|\s|$)/.test(model) ? "loop device" : model.trim();
}

/** One comparison per drive, in the order given. */
export function compareBatchSpeeds(drives: readonly DriveSpeedInput[]): DriveSpeedComparison[] {
  return drives.map((d) => {
    if (!d.profile || d.paused) {
      const note = d.profile ? "paused for temperature during the surface test: its timings include the pause, so it is not compared" : "no timed surface test";
      return { jobId: d.jobId, siblings: 0, mbps: d.profile?.overallMbps ?? null, siblingsMbps: null, vsSiblingsPct: null, patterns: [], regions: [], slow: false, flags: [], note };
    }
    const profile = d.profile;
    const sameModel = drives.filter((x) => modelKey(x.model) === modelKey(d.model) && x.profile && !x.paused).map((x) => x.profile!);
    const enough = sameModel.length >= SPEED_RULES.minSiblings;
    const siblingsMbps = enough ? round1(median(nums(sameModel.map((p) => p.overallMbps)))) : null;
    const base = {
      jobId: d.jobId,
      siblings: sameModel.length,
      mbps: profile.overallMbps,
      siblingsMbps,
      vsSiblingsPct: pct(profile.overallMbps, siblingsMbps),
      patterns: profile.patterns.map((p) => {
        const m = enough ? round1(median(nums(sameModel.map((s) => s.patterns.find((x) => x.pattern === p.pattern)?.mbps)))) : null;
        return { pattern: p.pattern, mbps: p.mbps, siblingsMbps: m, vsSiblingsPct: pct(p.mbps, m) };
      }),
      regions: regionsOf(profile, enough ? sameModel : []),
      note: enough ? null : `only ${sameModel.length} drive${sameModel.length === 1 ? "" : "s"} of this model in the batch (${SPEED_RULES.minSiblings} needed to compare with siblings); regions are compared with the drive's own curve`,
    };
    const flags = flagsOf(base);
    return { ...base, slow: flags.length > 0, flags };
  });
}
