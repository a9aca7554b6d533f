// The Express app: security headers, body limits, static files, views, auth, routes, errors.
import express from "express";
import helmet from "helmet";
import nunjucks from "nunjucks";
import { PUBLIC_DIR, VIEWS_DIR } from "../paths.js";
import type { AppDeps } from "./deps.js";
import { identify } from "./auth.js";
import { apiRoutes } from "./api.js";
import { pageRoutes } from "./pages.js";
import { metricsHandlers, reportPageRoutes } from "./report-routes.js";
import { NotFound } from "../errors.js";
import { errorHandler } from "./errors.js";
import { edgeGuard } from "./edge.js";

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  nunjucks.configure(VIEWS_DIR, { autoescape: true, express: app, noCache: false });
  app.set("view engine", "njk");

  app.use(helmet({
    contentSecurityPolicy: {
      directives: {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "upgrade-insecure-requests": null,
      },
    },
    strictTransportSecurity: false,
    // Not no-referrer: with it, browsers send `Origin: null` on Kiln's own form posts, which the
    // cross-site write check could not tell from a foreign page's.
    referrerPolicy: { policy: "same-origin" },
  }));

  app.use(edgeGuard(deps.config, deps.log));
  app.get("/health", (_req, res) => void res.json({ status: "ok", version: deps.version }));
  app.use("/static", express.static(PUBLIC_DIR, { maxAge: "1h", index: false }));
  app.use(express.json({ limit: "64kb" }));
  app.use(express.urlencoded({ extended: false, limit: "16kb" }));
  app.use(identify(deps.db, deps.config));
  app.use("/api/v1", apiRoutes(deps));
  app.get("/metrics", ...metricsHandlers(deps));
  app.use(reportPageRoutes(deps));
  app.use(pageRoutes(deps));
  app.use((_req, _res, next) => next(new NotFound()));
  app.use(errorHandler(deps.log));
  return app;
}
