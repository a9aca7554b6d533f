-- Sudo mode per host (issue 11) and the last host check. use_sudo: 1 = privileged commands run as
-- `sudo -n /abs/path …` (a non-root admin, as on TrueNAS SCALE); 0 = Kiln logs in as root.
-- check_json: the last host check's lines ({id, label, status, detail, fix}); checked_at: when.
ALTER TABLE hosts ADD COLUMN use_sudo INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hosts ADD COLUMN check_json TEXT;
ALTER TABLE hosts ADD COLUMN checked_at TEXT;
