-- History at scale (issue 15): what the history page's filters and the dashboard's drive list need
-- to answer from an index when the database holds a year of jobs.

-- Date ranges ("from" and "to") compare a job's start, or its creation when it never started; with a
-- host too (the CSV of one host's month) the second index reads only that host's jobs in the range.
CREATE INDEX jobs_started ON jobs(coalesce(started_at, created_at));
CREATE INDEX jobs_host_started ON jobs(host_id, coalesce(started_at, created_at));

-- The dashboard lists only the drives present now, out of every drive ever seen.
CREATE INDEX drives_present ON drives(host_id, dev_name) WHERE present = 1;

-- The serial filter is a case-insensitive substring of the serial or WWN: a trigram index answers
-- a fragment of 3 or more characters without reading every drive. It indexes the drives table's
-- own columns (external content), kept in step by the triggers below.
CREATE VIRTUAL TABLE drives_serial USING fts5(serial, wwn, content = 'drives', content_rowid = 'id', tokenize = 'trigram');
INSERT INTO drives_serial (drives_serial) VALUES ('rebuild');

CREATE TRIGGER drives_serial_insert AFTER INSERT ON drives BEGIN
  INSERT INTO drives_serial (rowid, serial, wwn) VALUES (new.id, new.serial, new.wwn);
END;
CREATE TRIGGER drives_serial_delete AFTER DELETE ON drives BEGIN
  INSERT INTO drives_serial (drives_serial, rowid, serial, wwn) VALUES ('delete', old.id, old.serial, old.wwn);
END;
CREATE TRIGGER drives_serial_update AFTER UPDATE OF serial, wwn ON drives BEGIN
  INSERT INTO drives_serial (drives_serial, rowid, serial, wwn) VALUES ('delete', old.id, old.serial, old.wwn);
  INSERT INTO drives_serial (rowid, serial, wwn) VALUES (new.id, new.serial, new.wwn);
END;
