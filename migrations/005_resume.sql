-- A surface test resumed after its badblocks vanished runs as segments; the plan and the current
-- segment are kept on the stage so a Kiln restart continues the same plan.
ALTER TABLE stages ADD COLUMN resume_json TEXT;
