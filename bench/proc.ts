// Reading a process's CPU time, memory and process tree straight from /proc.
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second on Linux (USER_HZ); 100 on every mainstream kernel build. */
const HZ = 100;

function statFields(pid: number): string[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    return s.slice(s.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** utime + stime of the process, in seconds (threads included). */
export function cpuSeconds(pid: number): number {
  const f = statFields(pid);
  if (!f) return NaN;
  return (Number(f[11]) + Number(f[12])) / HZ;
}

/** A field of /proc/<pid>/status in KiB (VmRSS, VmHWM...). */
export function statusKiB(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith(`${field}:`));
    return line ? Number(line.split(/\s+/)[1]) : NaN;
  } catch {
    return NaN;
  }
}

export interface ProcInfo {
  pid: number;
  ppid: number;
  cmd: string;
}

export function allProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const f = statFields(pid);
    if (!f) continue;
    let cmd = "";
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
    } catch {
      continue;
    }
    out.push({ pid, ppid: Number(f[1]), cmd });
  }
  return out;
}

/**
 * For each per-connection sshd process, the number of session channels running a command: the
 * non-sshd children of that connection's sshd processes (an exec channel is one such child).
 */
export function channelsPerConnection(connectionPids: number[], procs: ProcInfo[] = allProcesses()): number[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  return connectionPids.map((root) => {
    let n = 0;
    const stack = [root];
    while (stack.length) {
      const pid = stack.pop()!;
      for (const c of children.get(pid) ?? []) {
        if (c.cmd.startsWith("sshd")) stack.push(c.pid);
        else n++;
      }
    }
    return n;
  });
}
