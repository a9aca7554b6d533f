-- Run identity (issue 9): nothing from another Kiln install or another run is ever read as this run's.
-- This install's id, generated once; every job dir on a host carries it, and its name includes it.
CREATE TABLE install (
  singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
  id         TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
INSERT INTO install (singleton, id) VALUES (1, lower(hex(randomblob(8))));

-- A loop device's backing file, its only identity (loop devices have no by-id link or serial).
ALTER TABLE drives ADD COLUMN backing_file TEXT;
-- The confirmed drive's identity at start (JSON: path, size, serial, WWN, backing file): what the
-- host must still see at every launch, however many days the job waited in the queue.
ALTER TABLE jobs ADD COLUMN device_identity TEXT;
-- The current run's random token, recorded with remote_dir before the launch: the job dir's owner
-- file must hold it (with the install id and the device identity) to be adopted or read.
ALTER TABLE stages ADD COLUMN run_token TEXT;
