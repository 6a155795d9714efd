"""The runner target: `cronctl run` schedules and fires these jobs itself, recording every run
in a ledger (SQLite, or PostgreSQL for several replicas). See the README's "The runner" section.

Modules: `spec` (the file format of `target: runner` jobs and the `runner:` settings),
`validate` (their rules, with file:line), `ledger` (job_executions, the claim, leases, pause
state), `job` (a job resolved for running), `execute` (one run: HTTP or command, retries),
`schedule` (which runs are due: catch-up, overlap, DST), `loop` (the scheduler process),
`server` (/healthz and /metrics), `metrics`, `notify` (apprise), `target` (the Target class).
"""
