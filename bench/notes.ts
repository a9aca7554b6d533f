// The standing explanation printed under the figures: what limits each one on this kind of machine
// and where the product would change to move it. Checked against the figures of the runs so far.
export const NOTES = `## What limits the figures

- **Overhead ratio.** badblocks itself is not slowed: its life under Kiln (pid file → exit file) and its own elapsed
  time match the direct run. The wall-time ratio misses 1.02 on this ~10 s pass because of fixed per-start costs:
  the start call re-reads the chosen device before a destructive run (an in-use check against fresh blkid/wipefs
  output: since the first bench run this scans only the selected devices, not the whole host), one scheduler tick
  and one SSH exec to launch, then at most one poll to notice the exit file. That is ~1-1.5 s whatever the disk's
  size: 2 % of a 60 s pass, < 0.01 % of a real multi-hour pass; a ≤ 1.02 ratio on a 10 s pass would need dropping
  the fresh in-use check, which a tool that erases disks should not do. On a shared 2-core machine single runs
  also vary by ±30 %, more than the 2 % being measured (see the load averages).
- **Progress delay.** Fixed since the first run: the reader now polls start-to-start (not 1 s after each poll),
  commits progress held by the gate the moment the gate opens instead of at the next poll, and the host-side read
  script checks liveness with shell builtins (\`read\`, \`[ -ef ]\`) before reading a command line, which took one
  poll for 60 jobs from 0.45-1.8 s to ~0.27 s. Since 2026-12-01 that script forks per poll, not per job (one \`wc\`
  for every file's size, one \`tail\` per file that grew, one \`wc\` and one \`cat\` for all bytes; a badblocks
  process already checked is known by boot id, pid and start time without reading its command line): 60 running
  jobs with new bytes, 0.55 s → ~0.21 s. The reader polls at most a quarter of the host's CPU time for the script
  (which the host reports), so the storage host's CPU cost stays bounded whatever the number of jobs.
- **CPU and memory.** Kiln's own share is a few % of one core; the two cores are shared with 60 badblocks, 60 nbdkit
  and 60 nbdfuse processes (load average ~60 during the fleet). The largest cost of following 60 drives is the
  host-side read script above, not Kiln. RSS stays flat while a 7-day log streams through: the parser state is
  bounded and the reader holds at most 1 MiB per job per poll.
- **Commits.** Counted as \`job\` SSE events per job-minute: every progress commit publishes one, and a few other
  things (stage transitions, notes) do too, so it is an upper bound on commits.
- **Restart.** Kiln answers \`/health\` in well under a second; every job streams again after the first poll of the
  re-attached reader plus the gate, a few seconds.
`;
