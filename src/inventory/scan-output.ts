// Splits the scan script's output into its framed sections (see scan-script.ts for the framing).
import { FRAME_PREFIX } from "./scan-script.js";
import type { ProbeRun } from "./inuse.js";

export interface Section {
  name: string;
  args: string[];
  body: string;
}

export interface FramedOutput {
  sections: Section[];
  /** False when the "end" frame never came: the script was cut short. */
  complete: boolean;
  version: string | null;
}

/**
 * Finds the first begin frame (anything before it, such as a login banner, is ignored) and splits.
 * With `nonce`, only that script's begin frame counts, so not even a banner can forge one.
 */
export function splitFrames(text: string, nonce?: string): FramedOutput {
  const lines = text.split("\n");
  const pattern = new RegExp(`^${FRAME_PREFIX}${nonce ?? "[0-9a-f]{8,64}"} begin \\S+$`);
  const begin = lines.findIndex((l) => pattern.test(l));
  if (begin < 0) return { sections: [], complete: false, version: null };
  const prefix = lines[begin]!.split(" ")[0]! + " ";
  const version = lines[begin]!.split(" ")[2] ?? null;
  const sections: Section[] = [];
  let body: string[] = [];
  let complete = false;
  const close = () => {
    const last = sections[sections.length - 1];
    // Each frame line is preceded by one "\n" of the script's own: drop that empty line.
    if (last) last.body = (body[body.length - 1] === "" ? body.slice(0, -1) : body).join("\n");
    body = [];
  };
  for (const line of lines.slice(begin + 1)) {
    if (!line.startsWith(prefix)) {
      body.push(line);
      continue;
    }
    close();
    const [name = "", ...args] = line.slice(prefix.length).split(" ");
    if (name === "end") complete = true;
    sections.push({ name, args, body: "" });
  }
  close();
  return { sections, complete, version };
}

/** A probe section ("NAME ARG RC") with the stderr section that may follow it. */
export function probeRuns(sections: Section[], name: string): Map<string, ProbeRun> {
  const runs = new Map<string, ProbeRun>();
  for (const [i, s] of sections.entries()) {
    if (s.name !== name || s.args.length < 2) continue;
    const next = sections[i + 1];
    const stderr = next?.name === "stderr" && next.args[0] === name && next.args[1] === s.args[0] ? next.body : "";
    runs.set(s.args[0]!, { rc: Number(s.args[1]), stdout: s.body, stderr });
  }
  return runs;
}

/** Bodies of plain sections ("holders sda", "backing loop3") by their first argument. */
export function bodiesByArg(sections: Section[], name: string): Map<string, string> {
  return new Map(sections.filter((s) => s.name === name && s.args[0] !== undefined).map((s) => [s.args[0]!, s.body]));
}

export function firstBody(sections: Section[], name: string): string | null {
  return sections.find((s) => s.name === name)?.body ?? null;
}
