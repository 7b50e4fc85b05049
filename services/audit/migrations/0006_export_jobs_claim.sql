-- Full exports join libs.postgres.job_queue (issue 18), as identity's CSV jobs: each claim
-- carries a token that every later write of its worker names, so a worker whose lease ran
-- out can no longer finish or fail a job another worker took over. Rows of a running
-- job without one are taken over once their lease runs out, as before.
ALTER TABLE export_jobs ADD COLUMN claim text;
