// Commands for the operator on the Kiln machine: `npm run kiln -- reset-password admin`.
// Whoever can run this can read the data dir anyway; it is the way back in when a password is lost.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadConfig, ConfigError } from "./config.js";
import { openDatabase } from "./db/open.js";
import { migrate } from "./db/migrate.js";
import { retryBusy } from "./db/retry.js";
import { MIGRATIONS_DIR } from "./paths.js";
import { secureDataDir } from "./data-dir.js";
import { createOrPromoteAdmin, findUserByName, setPassword } from "./auth/users.js";
import { deleteUserSessions } from "./auth/sessions.js";
import { recordAudit } from "./audit/log.js";

const USAGE = `usage: npm run kiln -- reset-password <user> [--stdin]
  Sets a new password for <user> and ends that user's sessions. Without --stdin a random password is
  made and printed; with --stdin the first line of standard input is the new password (at least 8
  characters). The user "admin" is created (or re-activated) as an admin if needed.`;

async function resetPassword(username: string, fromStdin: boolean): Promise<void> {
  const config = loadConfig();
  const password = fromStdin ? readFileSync(0, "utf8").split("\n")[0]!.replace(/\r$/, "") : randomBytes(15).toString("base64url");
  if (password.length < 8) throw new UsageError("the new password must have at least 8 characters");
  const db = openDatabase(secureDataDir(config.dataDir));
  try {
    await retryBusy(() => migrate(db, MIGRATIONS_DIR));
    const user = findUserByName(db, username);
    if (!user && username !== "admin") throw new UsageError(`no user ${JSON.stringify(username)}`);
    await retryBusy(async () => {
      if (username === "admin") await createOrPromoteAdmin(db, "admin", password);
      else await setPassword(db, user!.id, password);
    });
    const id = findUserByName(db, username)!.id;
    const ended = await retryBusy(() => deleteUserSessions(db, id));
    recordAudit(db, { actor: "command line", address: "local", action: "user.password-reset", target: `user:${id}`, detail: { username, sessionsEnded: ended } });
  } finally {
    db.close();
  }
  console.log(fromStdin ? `Password of ${username} changed.` : `New password of ${username}: ${password}`);
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, user, ...flags] = argv;
  if (command !== "reset-password" || !user || flags.some((f) => f !== "--stdin")) throw new UsageError(USAGE);
  await resetPassword(user, flags.includes("--stdin"));
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof UsageError || err instanceof ConfigError ? err.message : err);
  process.exit(err instanceof UsageError ? 64 : 1);
});
