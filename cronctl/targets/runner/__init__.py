"""The runner target: `cronctl run` schedules and fires these jobs itself, recording every run
in a ledger (SQLite, or PostgreSQL for several replicas). See docs/targets/runner.md.

Modules: `plugin` (its entry in the registry), `model` (the file format of `target: runner`
jobs and the `runner:` settings, and `build`), `validate` (their rules, with file:line),
`records` and `ledger` (job_executions, the claim, leases, pause state), `job` (a job resolved
for running), `due` (which runs are due: catch-up, deadlines, DST), `execute` (one attempt:
HTTP or command), `worker` (one run to its end), `loop` (the scheduler), `manual` (trigger
and exec), `process` (`cronctl run` and `cronctl exec`), `server` (/healthz and /metrics),
`metrics`, `notify` (apprise), `stats`, `target` (the Target class).
"""
