// The standing explanation printed under the figures: what limits each one on this kind of machine
// and where the product would change to move it. Checked against the figures of the runs so far.
export const NOTES = `## What limits the figures

- **Overhead ratio.** badblocks itself is not slowed: its life under Kiln (pid file → exit file) and its own elapsed
  time match the direct run. The wall-time ratio misses 1.02 on a ~10 s pass because of fixed per-start costs:
  the start call re-scans the whole host before a destructive run (\`JobService.start\`, src/jobs/service.ts, calls
  \`HostService.scan\`, which runs blkid and wipefs on every block device of the host, here ~20 loop devices),
  then one scheduler tick and one SSH exec to launch, then at most one poll to notice the exit file. That is ~1 s
  whatever the disk's size: < 0.01 % of a real multi-hour pass. Restricting the pre-start re-scan to the selected
  devices (an \`only\` list for \`buildScanScript\`) would make it independent of the host's size. On a shared
  2-core machine single runs also vary by ±30 %, more than the 2 % being measured (see the load averages).
- **Progress delay.** A line that arrives just after a commit waits the gate (5 s), then for the next poll. The
  reader sleeps \`pollMs\` *after* each poll (src/jobs/reader.ts, \`run()\`), so the period is 1 s plus the read
  script's own time, which at 60 jobs is ~0.4-0.8 s of host CPU: ~10 processes per job per poll (\`wc\`,
  \`tail | head\`, \`cat\`, and \`kiln_state\`'s \`cat\` ×3 and \`tr\` ×2 in src/remote/scripts.ts). Making the steady
  state fork-free (\`read -r\` builtins for pid files, one \`stat\`/\`wc -c\` for all files, \`tail\` only for files that
  grew) and scheduling polls start-to-start would bring the p99 to about gate + 1 s.
- **CPU and memory.** Kiln's own share is a few % of one core; the two cores are shared with 60 badblocks, 60 nbdkit
  and 60 nbdfuse processes (load average ~60 during the fleet). The largest cost of following 60 drives is the
  host-side read script above, not Kiln. RSS stays flat while a 7-day log streams through: the parser state is
  bounded and the reader holds at most 1 MiB per job per poll.
- **Commits.** Counted as \`job\` SSE events per job-minute: every progress commit publishes one, and a few other
  things (stage transitions, notes) do too, so it is an upper bound on commits.
- **Restart.** Kiln answers \`/health\` in well under a second; every job streams again after the first poll of the
  re-attached reader plus the gate, a few seconds.
`;
