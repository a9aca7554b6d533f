// Kiln's own SSH client key: generated once into <dataDir>/ssh/id_ed25519 (mode 0600), read afterwards.
// The public half is in OpenSSH authorized_keys form, ready to paste on a storage host. An existing
// private key is never replaced (hosts already trust it); a lost .pub is rebuilt from it.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import ssh2 from "ssh2";

export interface KilnKey {
  privateKey: string;
  publicKey: string;
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

export function ensureKilnKey(dataDir: string): KilnKey {
  const { privatePath, publicPath } = kilnKeyPaths(dataDir);
  if (existsSync(privatePath)) {
    chmodSync(privatePath, 0o600);
    const privateKey = readFileSync(privatePath, "utf8");
    if (existsSync(publicPath)) return { privateKey, publicKey: readFileSync(publicPath, "utf8").trim() };
    const publicKey = publicLineOf(privateKey, privatePath);
    writeFileSync(publicPath, `${publicKey}\n`, { mode: 0o644 });
    return { privateKey, publicKey };
  }
  const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment: "kiln" });
  mkdirSync(path.dirname(privatePath), { recursive: true, mode: 0o700 });
  writeFileSync(privatePath, pair.private, { mode: 0o600 });
  writeFileSync(publicPath, `${pair.public.trim()}\n`, { mode: 0o644 });
  return { privateKey: pair.private, publicKey: pair.public.trim() };
}
