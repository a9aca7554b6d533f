// The JSON API (CONTRACT.md), as one route table; each handler validates and calls the core.
import { Router, type Request, type RequestHandler } from "express";
import { z } from "zod";
import type { AppDeps } from "./deps.js";
import { requireAdmin, requireAuth } from "./auth.js";
import { isLoopbackRequest, loopbackRefusal } from "./peer.js";
import { allowedHosts } from "./edge.js";
import { InvalidInputError, NotFound } from "../errors.js";
import { HttpError } from "./errors.js";
import { listDriveViews } from "../drives/repo.js";
import { jobSnapshot } from "../jobs/snapshot.js";
import { withRowJobs } from "../jobs/row-jobs.js";
import { samplesOf } from "../jobs/samples.js";
import { getJob } from "../jobs/repo.js";
import { STAGE_NAMES } from "../stage-kit/plan.js";
import { acknowledgeCrash, unacknowledgedCrash } from "../crash-marker.js";
import { auditRequest } from "../audit/request.js";
import { findJobIds, parseHistoryQuery } from "../jobs/history.js";
import { historyListItem, historyRows } from "../reports/history-rows.js";
import { reportApiRoutes } from "./report-routes.js";
import { notifyApiRoutes } from "./notify-routes.js";
import { userRoutes } from "./api-users.js";

const hostname = z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.:_-]+$/, "letters, digits, '.', ':', '_' and '-' only");
const addHostSchema = z
  .object({
    name: z.string().trim().min(1).max(64).regex(/^[\w .-]+$/, "letters, digits, space, '.', '_' and '-' only"),
    address: hostname,
    port: z.number().int().min(1).max(65535).default(22),
    username: z.string().min(1).max(32).regex(/^[a-z_][a-z0-9_.-]*$/i, "not a valid user name"),
    privateKey: z.string().min(1).max(16_384).optional(),
    workDir: z.string().min(1).max(255).optional(),
    includeLoopDevices: z.boolean().optional(),
    useSudo: z.boolean().optional(),
  })
  .strict();

const repinSchema = z.object({ fingerprint: z.string().max(512) }).strict();

const checkHostSchema = z.object({ useSudo: z.boolean().optional() }).strict();

const startSchema = z
  .object({
    driveIds: z.array(z.number().int().positive()).min(1).max(256),
    confirm: z.array(z.string().max(256)).max(256),
    stages: z.array(z.enum(STAGE_NAMES)).min(1).max(5).optional(),
    options: z.unknown().optional(),
  })
  .strict();

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw new InvalidInputError(r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  return r.data;
}

function idParam(req: Request): number {
  const id = Number(req.params.id);
  if (!Number.isSafeInteger(id) || id <= 0) throw new NotFound();
  return id;
}

const who = (req: Request) => `${req.principal?.user.username ?? "loopback"}@${req.socket.remoteAddress ?? "?"}`;

/** Express 5 forwards rejected promises to the error handler; this keeps handlers one-liners. */
const h = (fn: RequestHandler): RequestHandler => fn;

export function apiRoutes(deps: AppDeps): Router {
  const r = Router();
  const auth = requireAuth("api");

  // Loopback-only restart, before the auth wall: the TCP peer decides, never a forwarding header,
  // and only for Kiln's own page or a script (no foreign Host, Origin or cross-site fetch).
  const allowed = allowedHosts(deps.config);
  r.post("/jobs/:id/restart", (req, res, next) => {
    if (req.principal) return next();
    if (!deps.config.loopbackRestart) return next(new HttpError(401, "restart without login is turned off (KILN_LOOPBACK_RESTART=off)"));
    const refusal = loopbackRefusal(req, allowed);
    if (!refusal) return next();
    if (isLoopbackRequest(req)) deps.log.warn({ path: req.path, reason: refusal }, "refused a login-free restart");
    next(new HttpError(isLoopbackRequest(req) ? 403 : 401, `restart without login: ${refusal}`));
  }, (req, res, next) => (req.principal ? auth(req, res, next) : next()),
  (req, res, next) => (req.principal ? requireAdmin(req, res, next) : next()), h(async (req, res) => {
    const id = await deps.jobs.restart(idParam(req), who(req));
    auditRequest(deps.db, req, "job.restart", `job:${idParam(req)}`, { newJobId: id });
    res.status(202).json({ id });
  }));

  r.use(auth);

  r.get("/system", (_req, res) => void res.json({ version: deps.version, crash: unacknowledgedCrash(deps.db) }));
  r.post("/system/acknowledge-crash", requireAdmin, (req, res) => {
    acknowledgeCrash(deps.db);
    deps.log.info({ who: who(req) }, "crash acknowledged");
    res.json({ crash: null });
  });
  r.get("/ssh-key", (_req, res) => void res.json({ publicKey: deps.sshPublicKey }));
  r.get("/hosts", (_req, res) => void res.json(deps.hosts.list()));
  r.post("/hosts", requireAdmin, h(async (req, res) => {
    const host = await deps.hosts.add(parseBody(addHostSchema, req.body));
    auditRequest(deps.db, req, "host.add", `host:${host.id}`, { name: host.name, address: host.address, fingerprint: host.hostKeyFingerprint });
    res.status(201).json({ id: host.id, name: host.name, hostKeyFingerprint: host.hostKeyFingerprint, useSudo: host.useSudo, checks: host.checks });
  }));
  r.post("/hosts/:id/check", requireAdmin, h(async (req, res) => {
    const body = parseBody(checkHostSchema, req.body);
    const check = await deps.hosts.check(idParam(req), body.useSudo);
    res.json({ ok: check.ok, useSudo: check.sudo, checks: check.lines });
  }));
  r.post("/hosts/:id/scan", requireAdmin, h(async (req, res) => void res.json(await deps.hosts.scan(idParam(req), scanOnly(req.body)))));
  r.post("/hosts/:id/repin", requireAdmin, h(async (req, res) => {
    const { fingerprint } = parseBody(repinSchema, req.body);
    const { view, old } = await deps.hosts.repin(idParam(req), fingerprint);
    auditRequest(deps.db, req, "host.repin", `host:${view.id}`, { name: view.name, old, new: view.hostKeyFingerprint });
    res.json({ id: view.id, hostKeyFingerprint: view.hostKeyFingerprint });
  }));
  r.delete("/hosts/:id", requireAdmin, (req, res) => {
    const host = deps.hosts.remove(idParam(req));
    auditRequest(deps.db, req, "host.remove", `host:${host.id}`, { name: host.name, address: host.address, fingerprint: host.host_key_fingerprint });
    res.json({ id: host.id, removed: true });
  });

  // Each drive with the job its dashboard row shows, so the dashboard draws all rows from one answer.
  r.get("/drives", (_req, res) => void res.json(withRowJobs(deps.db, listDriveViews(deps.db))));

  r.post("/burnin/start", requireAdmin, h(async (req, res) => {
    const body = parseBody(startSchema, req.body);
    const jobs = await deps.jobs.start(
      { driveIds: body.driveIds, confirm: body.confirm, stages: body.stages, options: body.options as never },
      who(req),
    );
    for (const j of jobs) auditRequest(deps.db, req, "job.start", `job:${j.id}`, { driveId: j.driveId, stages: body.stages ?? null });
    res.status(202).json({ jobs });
  }));

  r.get("/jobs", (req, res) => {
    const filter = parseHistoryQuery(req.query as Record<string, unknown>);
    if (req.query.view === "rows") return void res.json(historyRows(deps.db, filter).map(historyListItem));
    const ids = findJobIds(deps.db, filter);
    res.json(ids.map((id) => jobSnapshot(deps.db, id)).filter(Boolean));
  });
  r.get("/jobs/:id", (req, res) => {
    const snap = jobSnapshot(deps.db, idParam(req));
    if (!snap) throw new NotFound(`no job ${req.params.id}`);
    res.json(snap);
  });
  r.get("/jobs/:id/samples", (req, res) => {
    const id = idParam(req);
    if (!getJob(deps.db, id)) throw new NotFound(`no job ${id}`);
    res.json(samplesOf(deps.db, id));
  });
  r.post("/jobs/:id/cancel", requireAdmin, h(async (req, res) => {
    await deps.jobs.cancel(idParam(req), who(req));
    auditRequest(deps.db, req, "job.cancel", `job:${idParam(req)}`);
    res.status(202).json({ id: idParam(req), status: "cancelling" });
  }));

  r.post("/jobs/:id/abandon", requireAdmin, (req, res) => {
    const id = idParam(req);
    deps.jobs.abandon(id, req.principal!.user.username);
    const job = getJob(deps.db, id)!;
    auditRequest(deps.db, req, "job.abandon", `job:${id}`, { driveId: job.drive_id, hostId: job.host_id, errorText: job.error_text });
    res.json({ id, status: job.status, errorText: job.error_text });
  });

  r.get("/events", (_req, res) => deps.hub.attach(res));
  r.use(reportApiRoutes(deps));
  r.use(notifyApiRoutes(deps));
  r.use(userRoutes(deps));

  r.use((_req, _res, next) => next(new NotFound("no such API endpoint")));
  return r;
}

/** `{devices: ["sdb", ...]}`: re-read only these kernel devices (nothing else is marked absent). */
function scanOnly(body: unknown): string[] | undefined {
  const list = (body as { devices?: unknown } | undefined)?.devices;
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || list.length === 0 || list.length > 4096 || !list.every((d) => typeof d === "string" && /^[A-Za-z0-9._:-]{1,64}$/.test(d))) {
    throw new InvalidInputError("devices must be a list of kernel device names (sdb, nvme0n1, loop3)");
  }
  return list as string[];
}
