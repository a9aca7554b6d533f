// One SshHost per storage host, created on first use and reused by every caller (scan, launch, the
// reader). Connection failures become the host's status: unreachable (retry helps) or untrusted
// (host key changed: nothing runs there until an admin re-pins it).
import type { Db } from "../db/open.js";
import type { Logger } from "../log.js";
import type { EventHub } from "../events/hub.js";
import { SshHost } from "../ssh/connection.js";
import { HostError, type ExecOptions, type ExecResult } from "../ssh/port.js";
import { getHost, hostView, setHostStatus, type HostRow } from "./repo.js";
import { loginShellCommand, withPrivilege } from "../remote/privilege.js";
import { hostVerbs, type HostPort } from "./verbs.js";

export class HostRegistry {
  private hosts = new Map<number, SshHost>();
  private ports = new Map<number, HostPort>();

  constructor(
    private db: Db,
    private kilnPrivateKey: string,
    private hub: EventHub,
    private log: Logger,
  ) {}

  private create(row: HostRow): SshHost {
    return new SshHost({
      address: row.address,
      port: row.port,
      username: row.username,
      privateKey: row.private_key ?? this.kilnPrivateKey,
      pinnedFingerprint: row.host_key_fingerprint,
      log: this.log.child({ hostId: row.id, host: row.name }),
    });
  }

  private connection(hostId: number): SshHost {
    let host = this.hosts.get(hostId);
    if (!host) {
      const row = getHost(this.db, hostId);
      if (!row) throw new HostError(`host ${hostId} does not exist`, true);
      host = this.create(row);
      this.hosts.set(hostId, host);
    }
    return host;
  }

  /**
   * Runs a POSIX sh script on the host (under `/bin/sh -c`, whatever the user's login shell is), in
   * the host's privilege mode (KILN_SUDO, remote/privilege.ts), keeping the host's status in step
   * with what happened.
   */
  async exec(hostId: number, script: string, opts?: ExecOptions): Promise<ExecResult> {
    const row = getHost(this.db, hostId);
    if (!row || row.removed_at) throw new HostError(`host ${hostId} does not exist`, true);
    if (row.status === "untrusted") {
      throw new HostError(
        `host ${row.name} is untrusted: its host key changed (${row.status_text ?? ""}); an admin must re-pin it`,
        true,
        "hostkey",
      );
    }
    try {
      const result = await this.connection(hostId).exec(loginShellCommand(withPrivilege(script, row.use_sudo === 1)), opts);
      this.mark(hostId, "online", null);
      return result;
    } catch (err) {
      if (err instanceof HostError && err.kind === "hostkey") {
        this.mark(hostId, "untrusted", err.message);
        this.drop(hostId);
      } else if (err instanceof HostError && err.kind !== "exec") {
        this.mark(hostId, "unreachable", err.message);
      }
      throw err;
    }
  }

  /** The host's port: exec and the verbs, every call keeping the host's status in step. */
  port(hostId: number): HostPort {
    let port = this.ports.get(hostId);
    if (!port) {
      const exec = (script: string, opts?: ExecOptions) => this.exec(hostId, script, opts);
      port = { exec, ...hostVerbs(exec) };
      this.ports.set(hostId, port);
    }
    return port;
  }

  mark(hostId: number, status: "online" | "unreachable" | "untrusted", text: string | null): void {
    if (setHostStatus(this.db, hostId, status, text)) {
      const row = getHost(this.db, hostId);
      if (row) {
        this.log.info({ hostId, status, text }, "host status changed");
        this.hub.publish("host", hostView(row));
      }
    }
  }

  /** Forgets the connection (after a re-pin, a key change, or host removal). */
  drop(hostId: number): void {
    this.hosts.get(hostId)?.close();
    this.hosts.delete(hostId);
  }

  closeAll(): void {
    for (const h of this.hosts.values()) h.close();
    this.hosts.clear();
  }
}
