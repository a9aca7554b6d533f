// The host port's verbs: each one is its host-side script, the exec that runs it, and the parser of
// what it printed, written once here. Stages, the reader and the guard call these; none of them
// builds a script or parses an answer of its own.
import type { ExecOptions, ExecResult, HostVerbs } from "../ssh/port.js";
import { buildCancelScript, buildReadScript, buildSignalScript, parseCancelOutput, parseReadOutput, parseSignalOutput } from "./scripts.js";
import { buildLaunchScript, parseLaunchOutput } from "./launch-script.js";
import { selfTestAbortScript, selfTestStartScript, smartReadScript } from "../smart/commands.js";
import { parseFarmRead, parseSmartCommand, parseSmartRead } from "../smart/read.js";
import { buildCheckScript, parseCheckOutput } from "./check-script.js";

/** Runs a POSIX sh script on the host (under `sh -c`). */
export type ShExec = (script: string, opts?: ExecOptions) => Promise<ExecResult>;

const SMART_COMMAND = { short: (d: string) => selfTestStartScript(d, "short"), long: (d: string) => selfTestStartScript(d, "long"), abort: selfTestAbortScript };

export function hostVerbs(exec: ShExec): HostVerbs {
  return {
    async launch(o) {
      const res = await exec(buildLaunchScript(o), { timeoutMs: 60_000 });
      const launched = parseLaunchOutput(res.stdout);
      if (launched.kind !== "failed" || launched.reason === "locked") return launched;
      const why = res.stderr.toString("utf8").trim().slice(0, 300);
      return { kind: "failed", reason: `${launched.reason}${why ? ` (${why})` : ""}` };
    },
    async read(reqs) {
      // Two files of at most maxBytes per job, plus the framing lines.
      const maxOutputBytes = reqs.reduce((n, r) => n + 2 * r.maxBytes + 4096, 65_536);
      return parseReadOutput((await exec(buildReadScript(reqs), { timeoutMs: 60_000, maxOutputBytes })).stdout);
    },
    async signal(jobDir, sig) {
      return parseSignalOutput((await exec(buildSignalScript(jobDir, sig), { timeoutMs: 30_000 })).stdout);
    },
    async cancel(jobDir) {
      return parseCancelOutput((await exec(buildCancelScript(jobDir), { timeoutMs: 60_000 })).stdout);
    },
    async smart(device, what = "all") {
      return parseSmartRead(await exec(smartReadScript(device, what), { timeoutMs: 180_000 }));
    },
    async farm(device) {
      return parseFarmRead(await exec(smartReadScript(device, "farm"), { timeoutMs: 180_000 }));
    },
    async smartCommand(device, command) {
      return parseSmartCommand(await exec(SMART_COMMAND[command](device), { timeoutMs: 90_000 }));
    },
    async check(o) {
      return parseCheckOutput((await exec(buildCheckScript(o), { timeoutMs: 600_000 })).stdout);
    },
  };
}
