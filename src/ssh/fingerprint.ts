// Host key fingerprints in the form `ssh-keygen -lf` prints: "SHA256:" + unpadded base64 of the
// SHA-256 digest of the raw public key blob (the bytes the server offers in the key exchange).
import { createHash } from "node:crypto";

export function sha256Fingerprint(hostKeyBlob: Buffer): string {
  const digest = createHash("sha256").update(hostKeyBlob).digest("base64");
  return `SHA256:${digest.replace(/=+$/, "")}`;
}

/** Fingerprint of an OpenSSH public key line ("ssh-ed25519 AAAA... comment"). */
export function fingerprintOfPublicKeyLine(line: string): string {
  const blob = line.trim().split(/\s+/)[1];
  if (!blob) throw new Error("not an OpenSSH public key line");
  return sha256Fingerprint(Buffer.from(blob, "base64"));
}
