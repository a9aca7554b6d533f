// Starts the longest test files first, so that the run does not end with one long file running
// alone. A file's length is what its last run took (vitest's cache) or, on a fresh clone, what its
// header declares: a slow file says why it is slow in a comment line `Slow (~N s): <reason>`.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

const DECLARED = /Slow \(~(\d+) s\):/;

function declaredSeconds(file: string): number {
  try {
    const head = readFileSync(file, "utf8").split("\n", 30).join("\n");
    return Number(DECLARED.exec(head)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const seconds = new Map<TestSpecification, number>();
    for (const f of files) {
      const key = `${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`;
      const cached = this.ctx.cache.getFileTestResults(key)?.duration ?? 0;
      seconds.set(f, Math.max(cached / 1000, declaredSeconds(f.moduleId)));
    }
    return [...files].sort((a, b) => seconds.get(b)! - seconds.get(a)!);
  }
}
