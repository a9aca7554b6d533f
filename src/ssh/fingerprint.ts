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

/**
 * The SHA256 fingerprint an operator typed or pasted: a bare "SHA256:…", or a whole `ssh-keygen -lf`
 * line ("256 SHA256:… root@nas (ED25519)"). Base64 is case-sensitive and compared as typed; null
 * when no fingerprint is in the text.
 */
export function typedFingerprint(text: string): string | null {
  const m = /(?:^|\s)SHA256:([A-Za-z0-9+/]{43})=?(?=\s|$)/.exec(text.trim());
  return m ? `SHA256:${m[1]}` : null;
}
