// The project root, whether running from src/ (tsx, tests) or dist/ (built).
import { fileURLToPath } from "node:url";
import path from "node:path";

export const ROOT = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
export const MIGRATIONS_DIR = path.join(ROOT, "migrations");
export const VIEWS_DIR = path.join(ROOT, "views");
export const PUBLIC_DIR = path.join(ROOT, "public");
