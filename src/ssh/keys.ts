// Kiln's own SSH client key: generated once into <dataDir>/ssh/id_ed25519 (mode 0600), read afterwards.
// The public half is in OpenSSH authorized_keys form, ready to paste on a storage host. An existing
// private key is never replaced (hosts already trust it), unless ssh2 cannot read it (then no host
// ever could have accepted it: it is moved aside, never deleted); a lost .pub is rebuilt from it.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import ssh2 from "ssh2";

export interface KilnKey {
  privateKey: string;
  publicKey: string;
  /** Where an unreadable key found at startup was moved (a new one replaced it). */
  movedAside?: string;
}

const usable = (key: string): boolean => !(ssh2.utils.parseKey(key) instanceof Error);

/**
 * A new ed25519 pair that ssh2 itself can read. ssh2's generateKeyPairSync drops a leading zero
 * byte of the public key (about one pair in 256: mscdex/ssh2#1390, #1513), and then refuses both
 * halves ("Malformed OpenSSH private key"): such a pair is drawn again.
 */
export function generateUsableKeyPair(comment: string): { privateKey: string; publicKey: string } {
  for (let attempt = 0; attempt < 32; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment });
    if (usable(pair.private) && usable(pair.public)) return { privateKey: pair.private, publicKey: pair.public.trim() };
  }
  throw new Error("could not generate an SSH key that ssh2 can read");
}

function kilnKeyPaths(dataDir: string): { privatePath: string; publicPath: string } {
  const privatePath = path.join(dataDir, "ssh", "id_ed25519");
  return { privatePath, publicPath: `${privatePath}.pub` };
}

function publicLineOf(privateKey: string, privatePath: string): string {
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) throw new Error(`cannot read Kiln's SSH key ${privatePath}: ${parsed.message}`);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key) throw new Error(`no key in ${privatePath}`);
  return `${key.type} ${key.getPublicSSH().toString("base64")} kiln`;
}

export function ensureKilnKey(dataDir: string, now: Date = new Date()): KilnKey {
  const { privatePath, publicPath } = kilnKeyPaths(dataDir);
  let movedAside: string | undefined;
  if (existsSync(privatePath)) {
    chmodSync(privatePath, 0o600);
    const privateKey = readFileSync(privatePath, "utf8");
    if (usable(privateKey)) {
      if (existsSync(publicPath)) return { privateKey, publicKey: readFileSync(publicPath, "utf8").trim() };
      const publicKey = publicLineOf(privateKey, privatePath);
      writeFileSync(publicPath, `${publicKey}\n`, { mode: 0o644 });
      return { privateKey, publicKey };
    }
    movedAside = `${privatePath}.unreadable-${now.toISOString().replace(/[:.]/g, "-")}`;
    renameSync(privatePath, movedAside);
    if (existsSync(publicPath)) renameSync(publicPath, `${movedAside}.pub`);
  }
  const pair = generateUsableKeyPair("kiln");
  mkdirSync(path.dirname(privatePath), { recursive: true, mode: 0o700 });
  writeFileSync(privatePath, pair.privateKey, { mode: 0o600 });
  writeFileSync(publicPath, `${pair.publicKey}\n`, { mode: 0o644 });
  return { ...pair, ...(movedAside ? { movedAside } : {}) };
}
