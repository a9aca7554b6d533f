// Translates what ssh2 reports while connecting into a HostError that says whether retrying can help.
import { HostError } from "./port.js";

interface Ssh2Error extends Error {
  level?: string;
  code?: string | number;
}

/** `hostKeyRejection` is the error our hostVerifier built, when it refused the offered key. */
export function connectError(err: unknown, target: string, hostKeyRejection: HostError | null): HostError {
  if (hostKeyRejection) return hostKeyRejection;
  if (err instanceof HostError) return err;
  const e = (err instanceof Error ? err : new Error(String(err))) as Ssh2Error;
  switch (e.level) {
    case "client-authentication":
      return new HostError(`ssh authentication to ${target} failed: ${e.message}`, true, "auth");
    case "client-timeout":
      return new HostError(`ssh to ${target} timed out: ${e.message}`, false, "unreachable");
    case "client-socket":
    case "client-dns": {
      const code = typeof e.code === "string" ? ` (${e.code})` : "";
      return new HostError(`cannot reach ${target}${code}: ${e.message}`, false, "unreachable");
    }
    default:
      return new HostError(`ssh connection to ${target} failed: ${e.message}`, false, "unreachable");
  }
}

/** A private key ssh2 cannot use is a configuration problem: permanent, reported as auth. */
export function badKeyError(err: unknown, target: string): HostError {
  const message = err instanceof Error ? err.message : String(err);
  return new HostError(`cannot use the private key for ${target}: ${message}`, true, "auth");
}
