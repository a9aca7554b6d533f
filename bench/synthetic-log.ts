// A badblocks -wsv progress stream of any length, made of the records of a real captured run
// (test/fixtures/badblocks/good-slow.stderr): its intro, its phase headers, its status record with
// the trailing backspaces, its `done` trailer and its terminal line; only the numbers vary.
import { readFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../src/paths.js";

interface Parts {
  intro: string;
  headers: string[];
  backspaces: string;
  done: string;
  terminal: string;
}

function parts(): Parts {
  const text = readFileSync(path.join(ROOT, "test/fixtures/badblocks/good-slow.stderr"), "latin1");
  const lines = text.split("\n");
  const intro = `${lines[0]}\n${lines[1]}\n`;
  const phaseLines = lines.filter((l) => / elapsed\./.test(l));
  const headers = phaseLines.map((l) => l.slice(0, l.search(/\s+\d+\.\d+% done/)));
  const backspaces = /\x08+/.exec(text)![0];
  const done = /done {10,}/.exec(text)![0];
  const terminal = lines.find((l) => l.startsWith("Pass completed"))!;
  return { intro, headers, backspaces, done, terminal };
}

function clock(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/**
 * The raw stream of a pass lasting `seconds` (one status record per second, as badblocks prints),
 * yielded in pieces of roughly `pieceBytes`.
 */
export function* syntheticLog(seconds: number, pieceBytes = 1 << 20): Generator<Buffer> {
  const p = parts();
  const perPhase = Math.max(1, Math.floor(seconds / p.headers.length));
  let out = p.intro;
  let t = 0;
  for (const header of p.headers) {
    for (let i = 0; i < perPhase; i++, t++) {
      const pct = ((i / perPhase) * 100).toFixed(2).padStart(6);
      out += `${i === 0 ? header : ""}${pct}% done, ${clock(t)} elapsed. (0/0/0 errors)${p.backspaces}`;
      if (out.length >= pieceBytes) {
        yield Buffer.from(out, "latin1");
        out = "";
      }
    }
    out += `${p.done}\n`;
  }
  out += `${p.terminal}\n`;
  yield Buffer.from(out, "latin1");
}

/** The whole stream in one buffer. */
export function syntheticLogBuffer(seconds: number): Buffer {
  return Buffer.concat([...syntheticLog(seconds)]);
}
