// A host's drive inventory: the scan script (scan-script.ts) and the parser of its output.
// parseScanOutput is pure: the same bytes always give the same drives, reasons and warnings.
import { InvalidInputError } from "../errors.js";
import { validateDevicePath } from "../shell/quote.js";
import { collectFacts, digestProbes, inUseOf, type DeviceProbe, type HostFacts } from "./inuse.js";
import { parseLsblkJson, SAFE_DEVICE_NAME, type LsblkDevice } from "./lsblk.js";
import { parseMidcltDiskDetails, parseMountinfo, parseSwaps, parseZpoolStatus, pickByIdPaths } from "./probes.js";
import { bodiesByArg, firstBody, probeRuns, splitFrames, type Section } from "./scan-output.js";
import { smartIdentity, smartStatus, STANDBY_REASON } from "./smartctl.js";
import type { DriveSmart, ScannedDrive, ScanOptions, ScanResult } from "./types.js";

export { buildScanScript, newScanNonce } from "./scan-script.js";

const PROTOCOL_TRANSPORT: Record<string, string> = { ATA: "ata", NVMe: "nvme", SCSI: "scsi" };

function isDriveCandidate(d: LsblkDevice, opts: ScanOptions): boolean {
  if (d.sizeBytes <= 0) return false;
  if (d.type === "loop") return opts.includeLoopDevices;
  if (d.type !== "disk") return false; // part, rom, lvm, crypt, raid*, md: never a drive of their own
  return !/^(z?ram\d|mmcblk\d+(boot\d+|rpmb)$)/.test(d.kname);
}

function safePath(p: string): string | null {
  try {
    return validateDevicePath(p);
  } catch (e) {
    if (e instanceof InvalidInputError) return null;
    throw e;
  }
}

function parseJson(text: string): unknown | null {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Parses one host-wide optional probe (zpool, midclt); a failure is a warning, never fatal. */
function hostProbe<T>(sections: Section[], name: string, parse: (s: string) => T, empty: T, warnings: string[]): T {
  const run = probeRuns(sections, name).get("-");
  if (!run) return empty;
  try {
    if (run.rc === 0) return parse(run.stdout);
    warnings.push(`${name} failed (exit ${run.rc}): ${run.stderr.trim().split("\n")[0] ?? ""}`.trim());
  } catch {
    warnings.push(`${name} output could not be parsed`);
  }
  return empty;
}

function modelOf(d: LsblkDevice): string | null {
  const vendor = d.vendor && d.vendor !== "ATA" && !/^0x/i.test(d.vendor) ? d.vendor : null;
  if (d.model && vendor && !d.model.toLowerCase().startsWith(vendor.toLowerCase())) return `${vendor} ${d.model}`;
  return d.model;
}

const LOOP_NO_SMART: DriveSmart = { available: false, reason: "loop device: no SMART" };

function smartOf(d: LsblkDevice, sections: Section[], missing: Set<string>): DriveSmart {
  const loop = d.type === "loop";
  if (missing.has("smartctl")) return loop ? LOOP_NO_SMART : { available: false, reason: "smartctl is not installed on the host" };
  const run = probeRuns(sections, "smartctl").get(d.kname);
  if (!run) return loop ? LOOP_NO_SMART : { available: false, reason: "smartctl did not run" };
  const status = smartStatus(run.rc, parseJson(run.stdout));
  // A loop device only answers SMART through a stand-in for drive hardware (tests); otherwise keep the
  // plain reason. A standby answer is the stand-in's too: kept, so the job wakes the "drive".
  return loop && !status.available && status.reason !== STANDBY_REASON ? LOOP_NO_SMART : status;
}

function buildDrive(d: LsblkDevice, host: HostFacts, byId: Map<string, string>, sections: Section[], missing: Set<string>): ScannedDrive {
  const devPath = `/dev/${d.kname}`;
  const smart = smartOf(d, sections, missing);
  const id = smartIdentity(smart.raw ?? null);
  const serial = d.serial ?? id.serial;
  const wwn = d.wwn ?? id.wwn;
  const linked = byId.get(d.kname);
  const stable = linked ? safePath(linked) : null;
  const backing = bodiesByArg(sections, "backing").get(d.kname)?.trim();
  const transport = d.type === "loop" ? "loop" : d.transport ?? (id.protocol ? PROTOCOL_TRANSPORT[id.protocol] ?? null : null);
  return {
    devName: d.kname,
    devPath,
    path: stable ?? devPath,
    serial,
    wwn,
    model: d.type === "loop" ? (backing ? `loop: ${backing}` : "loop device") : modelOf(d) ?? id.model,
    firmware: d.rev ?? id.firmware,
    sizeBytes: d.sizeBytes,
    rotational: id.rotationRate !== null ? id.rotationRate > 0 : d.rotational,
    transport: transport ?? (/^vd[a-z]+$/.test(d.kname) ? "virtio" : null),
    temperatureC: smart.available ? id.temperatureC : null,
    identityKey: serial ? `serial:${serial}` : wwn ? `wwn:${wwn}` : stable ? `path:${stable}` : `dev:${d.kname}`,
    confirmName: serial ?? d.kname,
    backingFile: d.type === "loop" ? backing ?? null : null,
    inUse: inUseOf(collectFacts(d, host)),
    smart,
  };
}

/** Two drives sharing a serial (cheap USB bridges do this) fall back to WWN, by-id path, then devName. */
function disambiguate(drives: ScannedDrive[], warnings: string[]): void {
  const count = new Map<string, number>();
  for (const d of drives) count.set(d.identityKey, (count.get(d.identityKey) ?? 0) + 1);
  for (const d of drives) {
    if ((count.get(d.identityKey) ?? 0) < 2) continue;
    warnings.push(`${d.devName} shares its identity ${d.identityKey} with another drive`);
    const byWwn = d.wwn && drives.filter((o) => o.wwn === d.wwn).length === 1 ? `wwn:${d.wwn}` : null;
    d.identityKey = byWwn ?? (d.path !== d.devPath ? `path:${d.path}` : `dev:${d.devName}`);
  }
}

/**
 * Parses what buildScanScript's script printed. Pass the `nonce` given to buildScanScript to ignore
 * even a forged begin frame printed before the script ran (a login banner).
 */
export function parseScanOutput(buf: Buffer, opts: ScanOptions & { nonce?: string }): ScanResult {
  const warnings: string[] = [];
  if (opts.nonce !== undefined && !/^[0-9a-f]{8,64}$/.test(opts.nonce)) throw new Error("scan nonce must be 8-64 lowercase hex digits");
  const { sections, complete } = splitFrames(buf.toString("utf8"), opts.nonce);
  if (sections.length === 0) return { drives: [], warnings: ["scan output has no begin frame: the script did not run"] };
  if (!complete) warnings.push("scan output ended early (no end frame); drives may be missing");
  const missing = new Set(sections.filter((s) => s.name === "missing").map((s) => s.args[0] ?? ""));
  for (const tool of missing) warnings.push(`${tool} is not installed on the host`);
  for (const s of sections.filter((x) => x.name === "skipped")) {
    warnings.push(`skipped a block device with an unsafe name: ${JSON.stringify(s.body.trim())}`);
  }

  const lsblkRun = [...probeRuns(sections, "lsblk").values()][0];
  let devices: LsblkDevice[] = [];
  try {
    if (!lsblkRun) throw new Error("no lsblk output");
    devices = parseLsblkJson(lsblkRun.stdout);
  } catch (e) {
    const detail = lsblkRun?.stderr.trim().split("\n")[0] || (e as Error).message;
    return { drives: [], warnings: [...warnings, `lsblk failed: ${detail}`] };
  }

  const blkid = probeRuns(sections, "blkid");
  const wipefs = probeRuns(sections, "wipefs");
  const probes = new Map<string, DeviceProbe>();
  for (const [name, body] of bodiesByArg(sections, "holders")) {
    const holders = body.split("\n").map((h) => h.trim()).filter((h) => h !== "");
    probes.set(name, digestProbes(holders, blkid.get(name) ?? null, wipefs.get(name) ?? null));
  }
  const host: HostFacts = {
    mounts: parseMountinfo(firstBody(sections, "mountinfo") ?? ""),
    swaps: parseSwaps(firstBody(sections, "swaps") ?? ""),
    zpoolDevices: hostProbe(sections, "zpool", parseZpoolStatus, new Map(), warnings),
    truenas: hostProbe(sections, "midclt", parseMidcltDiskDetails, new Map(), warnings),
    probes,
  };
  const byId = pickByIdPaths(firstBody(sections, "byid") ?? "");

  const drives: ScannedDrive[] = [];
  for (const d of devices) {
    if (d.type !== "disk" && d.type !== "loop") continue;
    if (!SAFE_DEVICE_NAME.test(d.kname) || !SAFE_DEVICE_NAME.test(d.name) || !safePath(`/dev/${d.kname}`)) {
      warnings.push(`dropped a device with an unsafe name: ${JSON.stringify(d.name)}`);
      continue;
    }
    if (opts.only && !opts.only.includes(d.kname)) continue;
    if (isDriveCandidate(d, opts)) drives.push(buildDrive(d, host, byId, sections, missing));
  }
  disambiguate(drives, warnings);
  return { drives, warnings };
}
