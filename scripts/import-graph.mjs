#!/usr/bin/env node
// The import graph between the folders of src/: fails (exit 1, the offending imports listed) on an
// import that points up the layer order, and on any import cycle between folders. The layer order
// is the picture in CONTRIBUTING.md ("## Layers"), read from there so the check and the doc cannot
// drift apart. Plain node, a regex over import lines (type-only imports count too: they are arrows
// a reader follows as well).
//
//   node scripts/import-graph.mjs [--root DIR]      (DIR holds src/ and CONTRIBUTING.md; default: the repo)
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const IMPORT = /(?:^|[\s;])(?:import|export)\s*(?:type\s+)?(?:[^"'`;]*?\sfrom\s*)?["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

/**
 * The layers, top first: each a list of units (a folder `web/` or a root file `kiln.ts`); and the
 * imports still excused, each `from → to` in backticks in the section's list (a file, or a folder
 * ending in `/`, relative to src/).
 */
export function readLayers(contributing) {
  const text = fs.readFileSync(contributing, "utf8");
  const at = text.indexOf("\n## Layers");
  if (at < 0) throw new Error(`${contributing}: no "## Layers" section`);
  const end = text.indexOf("\n## ", at + 1);
  const section = text.slice(at, end < 0 ? undefined : end);
  const block = /```[^\n]*\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error(`${contributing}: the "## Layers" section has no fenced picture`);
  const excused = [...section.slice(block.index + block[0].length).matchAll(/`([\w./-]+) → ([\w./-]+)`/g)].map((m) => ({ from: m[1], to: m[2] }));
  const layers = [];
  for (const line of block[1].split("\n")) {
    const units = [];
    for (const token of line.trim().split(/\s+/)) {
      if (!/^[\w.-]+(\/|\.ts)$/.test(token)) break; // the rest of the line describes the layer
      units.push(token.replace(/\/$/, ""));
    }
    if (units.length) layers.push(units);
  }
  return { layers, excused };
}

const covers = (pattern, file) => (pattern.endsWith("/") ? file.startsWith(pattern) : file === pattern);

function sourceFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|mts|js|mjs)$/.test(e.name) && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** The folder (or root file) of src/ a path belongs to. */
const unitOf = (src, file) => path.relative(src, file).split(path.sep)[0].replace(/\.js$/, ".ts");

/** Every import between two different units: { from, to, file, target }. */
export function folderImports(src) {
  const edges = [];
  for (const file of sourceFiles(src)) {
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(IMPORT)) {
      const target = path.normalize(path.join(path.dirname(file), m[1] ?? m[2]));
      if (path.relative(src, target).startsWith("..")) continue;
      const from = unitOf(src, file);
      const to = unitOf(src, target);
      if (from !== to) edges.push({ from, to, file: path.relative(src, file), target: path.relative(src, target).replace(/\.js$/, ".ts") });
    }
  }
  return edges;
}

/** Strongly connected components of more than one unit (Tarjan). */
function cycles(units, edges) {
  const next = new Map(units.map((u) => [u, new Set()]));
  for (const e of edges) next.get(e.from)?.add(e.to);
  const index = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  let n = 0;
  const visit = (u) => {
    index.set(u, n);
    low.set(u, n++);
    stack.push(u);
    on.add(u);
    for (const v of next.get(u) ?? []) {
      if (!index.has(v)) {
        visit(v);
        low.set(u, Math.min(low.get(u), low.get(v)));
      } else if (on.has(v)) low.set(u, Math.min(low.get(u), index.get(v)));
    }
    if (low.get(u) === index.get(u)) {
      const scc = [];
      let v;
      do {
        v = stack.pop();
        on.delete(v);
        scc.push(v);
      } while (v !== u);
      if (scc.length > 1) out.push(new Set(scc));
    }
  };
  for (const u of units) if (!index.has(u)) visit(u);
  return out;
}

/** The problems of the tree under `root`, as lines of text; empty when the graph is clean. */
export function checkImportGraph(root) {
  const src = path.join(root, "src");
  const { layers, excused } = readLayers(path.join(root, "CONTRIBUTING.md"));
  const level = new Map();
  layers.forEach((units, i) => units.forEach((u) => level.set(u, i)));
  const problems = [];
  const present = [...new Set(fs.readdirSync(src).map((e) => e.replace(/\.js$/, ".ts")))].filter(
    (e) => fs.statSync(path.join(src, e)).isDirectory() || e.endsWith(".ts"),
  );
  for (const u of present) if (!level.has(u)) problems.push(`src/${u} is not in the layer picture of CONTRIBUTING.md`);
  const edges = folderImports(src).filter((e) => !excused.some((x) => covers(x.from, e.file) && covers(x.to, e.target)));
  for (const e of edges) {
    if (level.has(e.from) && level.has(e.to) && level.get(e.to) < level.get(e.from)) {
      problems.push(`upward import: ${e.from} → ${e.to} (src/${e.file} imports src/${e.target})`);
    }
  }
  for (const scc of cycles(present, edges)) {
    // Without upward imports a cycle lies within one layer: its imports between folders of that layer.
    const inside = edges.filter((e) => scc.has(e.from) && scc.has(e.to) && level.get(e.to) <= level.get(e.from));
    problems.push(`import cycle between ${[...scc].sort().join(", ")}:`, ...inside.map((e) => `  ${e.from} → ${e.to} (src/${e.file} imports src/${e.target})`));
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf("--root");
  const root = i > 0 ? path.resolve(process.argv[i + 1]) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const problems = checkImportGraph(root);
  if (problems.length) {
    console.error(`import graph: ${problems.filter((p) => !p.startsWith("  ")).length} problem(s)\n${problems.join("\n")}`);
    process.exit(1);
  }
  console.log("import graph: no cycle between folders, no import up the layers");
}
