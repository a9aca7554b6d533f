// Notifications over HTTP, for the settings page (admins only): the outbox's recent rows, a test
// e-mail, and the push targets: list (masked), add, remove, and a test message per target.
import { Router, type Request } from "express";
import { z } from "zod";
import type { AppDeps } from "./deps.js";
import { requireAdmin } from "./auth.js";
import { Conflict, InvalidInputError, NotFound } from "../errors.js";
import { retryBusy } from "../db/retry.js";
import { auditRequest } from "../audit/request.js";
import { outboxCounts, recentOutbox } from "../notify/outbox.js";
import { recordTestMessage, type RecordContext } from "../notify/record.js";
import { channelOf } from "../notify/targets.js";
import { PUSH_CHANNELS } from "../notify/push/channels.js";

const addTargetSchema = z.object({ url: z.string().min(1, "give a target URL").max(4096) }).strict();

function targetId(req: Request): number {
  const id = Number(req.params.id);
  if (!Number.isSafeInteger(id) || id <= 0) throw new NotFound();
  return id;
}

export function notifyApiRoutes(deps: AppDeps): Router {
  const r = Router();
  const { notify } = deps;
  const who = (req: Request) => req.principal?.user.username ?? "?";
  /** Links in a test message: KILN_PUBLIC_URL, or the address this request came in on. */
  const contextFor = (req: Request): RecordContext => {
    const publicUrl = deps.config.publicUrl ?? `http://127.0.0.1:${req.socket.localPort}`;
    return { ...notify.context, publicUrl: () => publicUrl };
  };

  r.get("/outbox", requireAdmin, (req, res) => {
    const limit = Math.min(Math.max(Number(req.query.limit) || 50, 1), 500);
    const channel = typeof req.query.channel === "string" && req.query.channel ? req.query.channel : undefined;
    res.json({ enabled: notify.mailChannel !== null, counts: outboxCounts(deps.db, channel), rows: recentOutbox(deps.db, limit, channel) });
  });

  // The worker polls the outbox, so the row is picked up within a couple of seconds.
  r.post("/notify/test", requireAdmin, async (req, res) => {
    const mail = notify.mailChannel;
    if (!mail) throw new Conflict("e-mail is not configured: set KILN_SMTP_URL and KILN_MAIL_TO");
    const id = await retryBusy(() => recordTestMessage(deps.db, contextFor(req), mail));
    deps.log.info({ outboxId: id, who: who(req) }, "test e-mail queued");
    res.status(202).json({ id, status: "pending" });
  });

  r.get("/notify/targets", requireAdmin, (_req, res) => {
    res.json({ targets: notify.targets.views(), kinds: PUSH_CHANNELS.map((c) => ({ name: c.name, form: c.form })) });
  });

  r.post("/notify/targets", requireAdmin, async (req, res) => {
    const parsed = addTargetSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join("; "));
    const result = await retryBusy(() => notify.targets.add(parsed.data.url, who(req)));
    if (!result.ok) throw result.error;
    const view = notify.targets.views().find((t) => t.id === result.id);
    auditRequest(deps.db, req, "settings.change", channelOf(result.id), { change: "alert target added", target: view?.masked ?? null });
    deps.log.info({ targetId: result.id, kind: view?.kind, who: who(req) }, "notify target added");
    res.status(201).json(view);
  });

  r.delete("/notify/targets/:id", requireAdmin, async (req, res) => {
    const id = targetId(req);
    const masked = notify.targets.views().find((t) => t.id === id)?.masked ?? null;
    const result = await retryBusy(() => notify.targets.remove(id));
    if (result === "missing") throw new NotFound(`no target ${id}`);
    if (result === "from-env") throw new Conflict("this target comes from KILN_NOTIFY_URLS: change the environment and restart Kiln to remove it");
    auditRequest(deps.db, req, "settings.change", channelOf(id), { change: "alert target removed", target: masked });
    res.json({ id, removed: true });
  });

  r.post("/notify/targets/:id/test", requireAdmin, async (req, res) => {
    const id = targetId(req);
    if (!notify.targets.has(id)) throw new NotFound(`no target ${id}`);
    const outboxId = await retryBusy(() => recordTestMessage(deps.db, contextFor(req), { name: channelOf(id), form: "push" }));
    deps.log.info({ outboxId, targetId: id, who: who(req) }, "test message queued");
    res.status(202).json({ id: outboxId, status: "pending" });
  });

  return r;
}
