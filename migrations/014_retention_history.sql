-- Retention (issue 15): when a finished job's host directories were removed and its samples thinned,
-- so each is done once; partial indexes find the jobs still due without reading the others.
ALTER TABLE jobs ADD COLUMN host_dirs_removed_at TEXT;
ALTER TABLE jobs ADD COLUMN samples_thinned_at TEXT;
CREATE INDEX jobs_dirs_due ON jobs(finished_at) WHERE host_dirs_removed_at IS NULL;
CREATE INDEX jobs_samples_due ON jobs(finished_at) WHERE samples_thinned_at IS NULL;
-- History at scale (bench/history.ts): the host filter reads a host's jobs newest first, the batch
-- page and filter a batch's jobs, without scanning every job.
CREATE INDEX jobs_host ON jobs(host_id, id);
CREATE INDEX jobs_batch ON jobs(batch_id);
