// Routes of reports, history export, the audit list, metrics and the batch page. Mounted by
// web/api.ts (behind the API's auth wall) and web/app.ts; each handler calls the core and renders.
import { Router, type RequestHandler } from "express";
import type { AppDeps } from "./deps.js";
import { requireAuth } from "./auth.js";
import { InvalidInputError, NotFound } from "../errors.js";
import { parseHistoryQuery } from "../jobs/history.js";
import { listAudit, AUDIT_ACTIONS } from "../audit/log.js";
import { createMetrics } from "../metrics/registry.js";
import { loadReport } from "../reports/load.js";
import { writeHistoryCsv } from "../reports/csv-stream.js";
import { formatTime } from "../reports/format.js";
import { batchPage, reportPage } from "../reports/html.js";
import { loadBatch } from "../reports/batch-load.js";

const BATCH_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function positiveId(raw: unknown): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) throw new NotFound();
  return id;
}

/** Under /api/v1, after the auth wall. */
export function reportApiRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get("/jobs/:id/report", (req, res) => {
    const format = req.query.format ?? "json";
    if (format !== "json" && format !== "html") throw new InvalidInputError("format must be html or json");
    const report = loadReport(deps.db, positiveId(req.params.id));
    if (!report) throw new NotFound(`no job ${req.params.id}`);
    if (format === "json") return void res.json(report);
    res.render("report.njk", { ...reportPage(report), version: deps.version });
  });
  r.get("/batches/:id/report", (req, res) => {
    const format = req.query.format ?? "json";
    if (format !== "json" && format !== "html") throw new InvalidInputError("format must be html or json");
    const batchId = String(req.params.id);
    const drives = BATCH_ID.test(batchId) ? loadBatch(deps.db, batchId) : [];
    if (drives.length === 0) throw new NotFound(`no batch ${batchId}`);
    if (format === "json") return void res.json({ reportVersion: 1, generatedAt: new Date().toISOString(), batchId, drives });
    res.render("batch-report.njk", { ...batchPage(batchId, drives), generated: formatTime(new Date().toISOString()), version: deps.version });
  });
  // The newest 10,000 matching jobs unless `limit` says otherwise, streamed page by page.
  r.get("/history.csv", async (req, res) => {
    const filter = parseHistoryQuery(req.query as Record<string, unknown>);
    res.type("text/csv; charset=utf-8").attachment("kiln-history.csv");
    await writeHistoryCsv(deps.db, filter, filter.limit ?? 10_000, res);
  });
  r.get("/audit", (req, res) => {
    const q = req.query as Record<string, unknown>;
    const action = typeof q.action === "string" && q.action ? q.action : undefined;
    if (action && !(AUDIT_ACTIONS as readonly string[]).includes(action)) throw new InvalidInputError(`unknown action ${action}`);
    const limit = q.limit === undefined ? undefined : Number(q.limit);
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) throw new InvalidInputError("limit must be a positive number");
    const target = typeof q.target === "string" && q.target ? q.target : undefined;
    res.json(listAudit(deps.db, { action, target, limit }));
  });
  return r;
}

/** GET /metrics in Prometheus text format, behind the same auth as the API (bearer or session). */
export function metricsHandlers(deps: AppDeps): RequestHandler[] {
  const registry = createMetrics(deps.db);
  return [
    requireAuth("api"),
    async (_req, res) => {
      const text = await registry.metrics();
      res.type(registry.contentType).send(text);
    },
  ];
}

/** Server-rendered pages: GET /batches/:id. */
export function reportPageRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get("/batches/:id", requireAuth("page"), (req, res) => {
    const batchId = String(req.params.id);
    if (!BATCH_ID.test(batchId)) throw new NotFound("no such batch");
    const drives = loadBatch(deps.db, batchId);
    if (drives.length === 0) throw new NotFound(`no batch ${batchId}`);
    res.render("batch.njk", {
      ...batchPage(batchId, drives),
      version: deps.version,
      user: req.principal?.user ?? null,
      csrfToken: req.principal?.csrfToken ?? "",
    });
  });
  return r;
}
