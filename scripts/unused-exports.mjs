#!/usr/bin/env node
// Lists the exported values (functions, constants, classes) of src/ that no other file uses (src/,
// test/, bench/), and the members of exported classes that nothing uses at all: each is dead code or
// a name that should not be exported. Exported types are left alone (they name the shapes of
// exported functions). Uses the TypeScript checker that `tsc` already brings, so a use through a
// re-export, a namespace import or a property access counts.
// Usage: node scripts/unused-exports.mjs   (exit 1 when it finds any)
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const configPath = path.join(root, "tsconfig.json");
const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, root);
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
const checker = program.getTypeChecker();

const inRepo = (f) => !f.isDeclarationFile && !path.relative(root, f.fileName).startsWith("node_modules");
const files = program.getSourceFiles().filter(inRepo);
const isSrc = (f) => path.relative(root, f.fileName).startsWith(`src${path.sep}`);

/** Declarations used from a file other than their own; declarations used anywhere but their own name. */
const usedElsewhere = new Set();
const usedAtAll = new Set();
function mark(node, from) {
  let sym = checker.getSymbolAtLocation(node);
  if (!sym) return;
  if (sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
  for (const d of sym.declarations ?? []) {
    if (d.name !== node) usedAtAll.add(d);
    if (d.getSourceFile() !== from) usedElsewhere.add(d);
  }
}
for (const f of files) {
  const visit = (node) => {
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) mark(node, f);
    ts.forEachChild(node, visit);
  };
  visit(f);
}

const where = (d) => `${path.relative(root, d.getSourceFile().fileName)}:${d.getSourceFile().getLineAndCharacterOfPosition(d.getStart()).line + 1}`;
const VALUE = ts.SymbolFlags.Function | ts.SymbolFlags.Variable | ts.SymbolFlags.Class | ts.SymbolFlags.Enum;

const unused = [];
for (const f of files.filter(isSrc)) {
  const mod = checker.getSymbolAtLocation(f);
  if (!mod) continue;
  for (const exp of checker.getExportsOfModule(mod)) {
    const target = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
    const decls = target.declarations ?? [];
    if (!(target.flags & VALUE) || decls.length === 0) continue;
    if (!decls.some((d) => usedElsewhere.has(d))) unused.push(`${where(decls[0])} ${exp.getName()}`);
    for (const c of decls.filter(ts.isClassDeclaration)) {
      const bases = checker.getBaseTypes(checker.getDeclaredTypeOfSymbol(target));
      for (const m of c.members) {
        if (ts.isConstructorDeclaration(m) || !m.name || usedAtAll.has(m)) continue;
        if (bases.some((b) => b.getProperty(m.name.getText()))) continue; // an override: used through its base
        unused.push(`${where(m)} ${exp.getName()}.${m.name.getText()}`);
      }
    }
  }
}
if (unused.length) {
  console.log(`exports no other file uses (${unused.length}): remove them, or drop the export\n${unused.join("\n")}`);
  process.exit(1);
}
console.log("unused-exports: every export of src/ is used by another file");
