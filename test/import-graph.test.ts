// scripts/import-graph.mjs: the real tree passes; a tiny tree with a folder cycle, or with an import
// up the layer order written in its CONTRIBUTING.md, makes it exit 1 naming the offending imports.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { makeTempDir } from "./helpers/tempdir.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const script = path.join(repo, "scripts/import-graph.mjs");
const dirs: string[] = [];

function run(root?: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [script, ...(root ? ["--root", root] : [])], { encoding: "utf8" });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** A tree of `files` (path under src/ → its text) and a CONTRIBUTING.md with this layer picture. */
function tree(picture: string[], files: Record<string, string>, excused = ""): string {
  const root = makeTempDir("import-graph");
  dirs.push(root);
  writeFileSync(path.join(root, "CONTRIBUTING.md"), `# x\n\n## Layers\n\n\`\`\`\n${picture.join("\n")}\n\`\`\`\n\n${excused}\n## Next\n`);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, "src", file)), { recursive: true });
    writeFileSync(path.join(root, "src", file), text);
  }
  return root;
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("import graph check", () => {
  it("passes on the real tree", () => {
    const r = run();
    expect(r.out).toContain("no cycle between folders");
    expect(r.code).toBe(0);
  });

  it("fails on a cycle between two folders of one layer, naming both imports", () => {
    const root = tree(["a/ b/      one layer", "c/"], {
      "a/x.ts": 'import { y } from "../b/y.js";\nexport const x = y;\n',
      "b/y.ts": 'import type { z } from "../a/z.js";\nexport const y = 1 as z;\n',
      "a/z.ts": "export type z = number;\n",
      "c/w.ts": "export const w = 1;\n",
    });
    const r = run(root);
    expect(r.code).toBe(1);
    expect(r.out).toContain("import cycle between a, b");
    expect(r.out).toContain("a → b (src/a/x.ts imports src/b/y.ts)");
    expect(r.out).toContain("b → a (src/b/y.ts imports src/a/z.ts)");
  });

  it("fails on an import up the layers, and on a folder missing from the picture", () => {
    const root = tree(["top/", "low/", "main.ts"], {
      "top/t.ts": 'import { l } from "../low/l.js";\nexport const t = l;\n',
      "low/l.ts": 'export const l = 1;\nexport const later = () => import("../top/t.js");\n',
      "main.ts": "export {};\n",
      "extra/e.ts": "export const e = 1;\n",
    });
    const r = run(root);
    expect(r.code).toBe(1);
    expect(r.out).toContain("upward import: low → top (src/low/l.ts imports src/top/t.ts)");
    expect(r.out).toContain("src/extra is not in the layer picture");
  });

  it("passes imports that point down, and excuses exactly the imports listed under the picture", () => {
    const files = {
      "top/t.ts": 'import { l } from "../low/l.js";\nexport const t = l;\n',
      "low/l.ts": 'export const l = 1;\nexport type T = import("../top/t.js").T;\n',
      "low/m.ts": 'import { t } from "../top/t.js";\nexport const m = t;\n',
    };
    const excused = "- `low/m.ts → top/`: on its way out\n";
    expect(run(tree(["top/", "low/"], files, excused)).out).toContain("upward import: low → top (src/low/l.ts imports src/top/t.ts)");
    const clean = { ...files, "low/l.ts": "export const l = 1;\n" };
    expect(run(tree(["top/", "low/"], clean, excused)).code).toBe(0);
    expect(run(tree(["top/", "low/"], clean)).code).toBe(1);
  });
});
