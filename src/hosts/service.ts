// Adding, scanning and re-pinning hosts. Thin: validation, one SSH round trip, one DB write.
import type { Db } from "../db/open.js";
import type { Logger } from "../log.js";
import type { EventHub } from "../events/hub.js";
import { SshHost } from "../ssh/connection.js";
import { HostError } from "../ssh/port.js";
import { validateRemoteDir } from "../shell/quote.js";
import { buildScanScript, newScanNonce, parseScanOutput } from "../inventory/scan.js";
import { retryBusy } from "../db/retry.js";
import { driveView, listDriveViews, upsertScannedDrives, type DriveView } from "../drives/repo.js";
import type { HostRegistry } from "./registry.js";
import { getHost, hostView, insertHost, listHosts, removeHost, repinHost, saveHostCheck, setHostSudo, type HostRow, type HostView } from "./repo.js";
import { typedFingerprint } from "../ssh/fingerprint.js";
import { buildCheckScript } from "./check-script.js";
import { judgeHost, problemText, type CheckResult } from "./check.js";
import { loginShellCommand } from "../remote/privilege.js";
import { Conflict, InvalidInputError, NotFound, Refused } from "../errors.js";

export interface AddHostInput {
  name: string;
  address: string;
  port: number;
  username: string;
  privateKey?: string | undefined;
  workDir?: string | undefined;
  includeLoopDevices?: boolean | undefined;
  /** Privileged commands through `sudo -n`; unset = detected (sudo unless the login user is root). */
  useSudo?: boolean | undefined;
}

export class HostService {
  constructor(
    private db: Db,
    readonly registry: HostRegistry,
    private kilnPrivateKey: string,
    private hub: EventHub,
    private log: Logger,
  ) {}

  /** Connects once (logging in proves the key works) and returns the host key's fingerprint. */
  private async probe(address: string, port: number, username: string, privateKey: string | null): Promise<string> {
    const { fingerprint } = await SshHost.probe({
      address, port, username, privateKey: privateKey ?? this.kilnPrivateKey, pinnedFingerprint: null,
    });
    return fingerprint;
  }

  list(): HostView[] {
    return listHosts(this.db).map(hostView);
  }

  /**
   * Connects once, pins the host key it is shown, checks the host (check.ts) and records it. A host
   * that cannot run a burn-in is refused with 422 and the check's lines; nothing is written then.
   */
  async add(input: AddHostInput): Promise<HostView & { checks: CheckResult["lines"] }> {
    const workDir = validateRemoteDir(input.workDir ?? "~/.kiln");
    if (listHosts(this.db).some((h) => h.name === input.name)) {
      throw new Conflict(`a host named ${input.name} exists already`);
    }
    const { fingerprint, check } = await this.probeAndCheck(input, workDir);
    if (!check.ok || check.sudo === null) {
      this.log.warn({ name: input.name, problems: problemText(check.lines) }, "host refused: it cannot run a burn-in");
      throw new Refused(`host ${input.name} cannot run a burn-in: ${problemText(check.lines.filter((l) => l.status === "fail")).join(" ")}`, { checks: check.lines });
    }
    const id = insertHost(this.db, {
      name: input.name,
      address: input.address,
      port: input.port,
      username: input.username,
      privateKey: input.privateKey ?? null,
      workDir,
      includeLoopDevices: input.includeLoopDevices ?? false,
      fingerprint,
      useSudo: check.sudo,
      check: check.lines,
    });
    this.log.info({ hostId: id, name: input.name, fingerprint, useSudo: check.sudo }, "host added, key pinned");
    const view = hostView(getHost(this.db, id)!);
    this.hub.publish("host", view);
    return { ...view, checks: check.lines };
  }

  /** One connection: pin the key it shows, run the check in the asked (or detected) sudo mode. */
  private async probeAndCheck(input: AddHostInput, workDir: string): Promise<{ fingerprint: string; check: CheckResult }> {
    const host = new SshHost({
      address: input.address, port: input.port, username: input.username,
      privateKey: input.privateKey ?? this.kilnPrivateKey, pinnedFingerprint: null, maxChannels: 1,
    });
    try {
      const fingerprint = await host.connect();
      const script = buildCheckScript({ workDir, sudo: input.useSudo ?? "auto" });
      const res = await host.exec(loginShellCommand(script), { timeoutMs: 120_000 });
      return { fingerprint, check: judgeHost(res.stdout.toString("utf8"), input.username) };
    } finally {
      await host.close();
    }
  }

  /**
   * "Check host": the same check on a host Kiln knows, in its recorded sudo mode or in `useSudo` when
   * given; the result is kept, and a given mode that passes becomes the host's.
   */
  async check(hostId: number, useSudo?: boolean): Promise<CheckResult> {
    const host = this.current(hostId);
    const script = buildCheckScript({ workDir: host.work_dir, sudo: useSudo ?? host.use_sudo === 1 });
    const res = await this.registry.exec(hostId, script, { timeoutMs: 120_000 });
    const check = judgeHost(res.stdout.toString("utf8"), host.username);
    saveHostCheck(this.db, hostId, check.lines);
    if (useSudo !== undefined && check.ok && check.sudo !== null) setHostSudo(this.db, hostId, check.sudo);
    this.log.info({ hostId, ok: check.ok, useSudo: check.sudo, problems: problemText(check.lines) }, "host checked");
    this.hub.publish("host", hostView(getHost(this.db, hostId)!));
    return check;
  }

  /**
   * Re-reads the host's drives and their in-use reasons: all of them, or only the named kernel
   * devices (then only those are returned and nothing else is marked absent).
   */
  async scan(hostId: number, only?: string[]): Promise<DriveView[]> {
    const host = this.current(hostId);
    const opts = { includeLoopDevices: host.include_loop_devices === 1, ...(only ? { only } : {}) };
    const nonce = newScanNonce();
    const script = buildScanScript(opts, nonce);
    const res = await this.registry.exec(hostId, script, { timeoutMs: 600_000 });
    if (res.code !== 0 && res.stdout.length === 0) {
      throw new HostError(`scan failed on ${host.name}: ${res.stderr.toString("utf8").slice(0, 500)}`, false);
    }
    const { drives, warnings } = parseScanOutput(res.stdout, { ...opts, nonce });
    for (const w of warnings) this.log.warn({ hostId }, `scan: ${w}`);
    const ids = await retryBusy(() => upsertScannedDrives(this.db, hostId, drives, Date.now(), only !== undefined));
    const views = ids.map((id) => driveView(this.db, id)!);
    for (const v of views) this.hub.publish("drive", v);
    return only ? views : listDriveViews(this.db, hostId);
  }

  /**
   * An admin accepts the host's current key after it changed, by typing the fingerprint the host
   * itself shows (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on its console). The key is
   * stored only when it matches what the host presents now; otherwise nothing changes.
   */
  async repin(hostId: number, typed: string): Promise<{ view: HostView; old: string }> {
    const host = this.current(hostId);
    const expected = typedFingerprint(typed);
    if (!expected) throw new InvalidInputError("type or paste the host's key fingerprint (SHA256:…), as `ssh-keygen -lf` prints it on the host");
    const fingerprint = await this.probe(host.address, host.port, host.username, host.private_key);
    if (fingerprint !== expected) {
      this.log.warn({ hostId, typed: expected, presented: fingerprint }, "re-pin refused: the typed fingerprint is not the host's key");
      throw new Conflict(`the fingerprint you typed is not the key ${host.name} presents now; nothing was changed (check the host's console, or someone may be in between)`);
    }
    if (!repinHost(this.db, hostId, host.host_key_fingerprint, fingerprint)) throw new Conflict(`the key of ${host.name} was changed meanwhile; try again`, { permanent: false });
    this.registry.drop(hostId);
    this.log.warn({ hostId, old: host.host_key_fingerprint, new: fingerprint }, "host key re-pinned");
    const view = hostView(getHost(this.db, hostId)!);
    this.hub.publish("host", view);
    return { view, old: host.host_key_fingerprint };
  }

  /** Removes a host that has no active job (its history stays). */
  remove(hostId: number): HostRow {
    const host = this.current(hostId);
    if (!removeHost(this.db, hostId)) throw new Conflict(`${host.name} has active jobs: cancel or abandon them first`);
    this.registry.drop(hostId);
    this.log.warn({ hostId, name: host.name }, "host removed");
    this.hub.publish("host", { id: hostId, removed: true });
    return host;
  }

  private current(hostId: number): HostRow {
    const host = getHost(this.db, hostId);
    if (!host || host.removed_at) throw new NotFound(`no host ${hostId}`);
    return host;
  }
}
