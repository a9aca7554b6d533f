// Kiln's own SSH client key: generated once into <dataDir>/ssh/id_ed25519 (mode 0600), read afterwards.
// The public half is in OpenSSH authorized_keys form, ready to paste on a storage host.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import ssh2 from "ssh2";

export interface KilnKey {
  privateKey: string;
  publicKey: string;
}

export function kilnKeyPaths(dataDir: string): { privatePath: string; publicPath: string } {
  const privatePath = path.join(dataDir, "ssh", "id_ed25519");
  return { privatePath, publicPath: `${privatePath}.pub` };
}

export function ensureKilnKey(dataDir: string): KilnKey {
  const { privatePath, publicPath } = kilnKeyPaths(dataDir);
  if (existsSync(privatePath) && existsSync(publicPath)) {
    chmodSync(privatePath, 0o600);
    return {
      privateKey: readFileSync(privatePath, "utf8"),
      publicKey: readFileSync(publicPath, "utf8").trim(),
    };
  }
  const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment: "kiln" });
  mkdirSync(path.dirname(privatePath), { recursive: true, mode: 0o700 });
  writeFileSync(privatePath, pair.private, { mode: 0o600 });
  chmodSync(privatePath, 0o600); // writeFileSync's mode is ignored when the file already existed
  writeFileSync(publicPath, `${pair.public.trim()}\n`, { mode: 0o644 });
  return { privateKey: pair.private, publicKey: pair.public.trim() };
}
