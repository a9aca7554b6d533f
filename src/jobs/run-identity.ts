// Who a run on a host belongs to: this Kiln install (its id, made once by migration 007); the run's
// token and the confirmed drive's identity are in stage-kit/run-identity.ts.
import type { Db } from "../db/open.js";

export function installId(db: Db): string {
  return db.prepare("SELECT id FROM install WHERE singleton = 1").pluck().get() as string;
}
