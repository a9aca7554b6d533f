// The outbox over HTTP, for the settings page: its recent rows, and a test e-mail sent through it.
import { Router } from "express";
import type { AppDeps } from "../web/deps.js";
import { requireAdmin } from "../web/auth.js";
import { HttpError } from "../web/errors.js";
import { retryBusy } from "../db/retry.js";
import { mailSettings } from "./index.js";
import { outboxCounts, recentOutbox } from "./outbox.js";
import { recordTestMessage } from "./record.js";

export function notifyApiRoutes(deps: AppDeps): Router {
  const r = Router();

  r.get("/outbox", requireAdmin, (req, res) => {
    const limit = Math.min(Math.max(Number(req.query.limit) || 50, 1), 500);
    res.json({ enabled: mailSettings(deps.config) !== null, counts: outboxCounts(deps.db), rows: recentOutbox(deps.db, limit) });
  });

  // The worker polls the outbox, so the row is picked up within a couple of seconds.
  r.post("/notify/test", requireAdmin, async (req, res) => {
    const mail = mailSettings(deps.config);
    if (!mail) throw new HttpError(409, "e-mail is not configured: set KILN_SMTP_URL and KILN_MAIL_TO");
    const publicUrl = deps.config.publicUrl ?? `http://127.0.0.1:${req.socket.localPort}`;
    const id = await retryBusy(() => recordTestMessage(deps.db, { recipients: mail.to, publicUrl: () => publicUrl, log: deps.log }));
    deps.log.info({ outboxId: id, who: req.principal?.user.username }, "test e-mail queued");
    res.status(202).json({ id, status: "pending" });
  });

  return r;
}
