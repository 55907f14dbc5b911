"""Background jobs on a PostgreSQL-backed queue (procrastinate): class/cohort plans, marking runs, eval runs.

- `settings` — `TEACH_JOBS_*` (worker concurrency, retries, stall detection, in-process worker);
- `queue` — the procrastinate app and its one task, `teach.run_job(job_id)`; `enqueue` for the API;
- `runner` — one run of a job: its pending items, each settled once, cancellation, the job's end;
- `kinds` — what an item of each kind does (class plan, marking, eval run);
- `worker` — `teach worker` and the in-process worker of `teach serve`, with stalled-job recovery.
"""
