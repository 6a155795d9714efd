"""Past runs of Vercel cron jobs. Vercel keeps them in the project's logs, which need a Vercel
API token to read; `cronctl dev` records the runs it fires (`GET /_cronctl/runs`), so against a
dev server (discovered beside the file, or named by QSTASH_URL: discovery.dev_server; or
its Vercel side, VERCEL_API_URL)
`cronctl logs` and `cronctl list` show them."""

from __future__ import annotations

from ...environment import current
from ...errors import UsageError
from ..base import Run

CANNOT = UsageError(
    "Vercel keeps its cron runs in the project's logs; cronctl cannot read them without a "
    "Vercel API token",
    hint="see Vercel's dashboard: Settings -> Cron Jobs -> View Logs (locally, 'cronctl dev' "
    "records the runs it fires and 'cronctl logs' shows them)")


def dev_log(server: tuple[str, str] | None) -> dict:
    """`cronctl dev`'s record of the Vercel cron runs it fired: {"runs": [...], "since": ms
    the crons were loaded}, from the dev server at `server` (url, token: discovery's
    `dev_server`) or, without one, the one VERCEL_API_URL names; UsageError (CANNOT) else."""
    import httpx

    from ... import httpguard as guard

    if server is None:
        # the dev server's Vercel side, named by VERCEL_API_URL (and its token)
        env = current()
        url, token = env.value("VERCEL_API_URL").rstrip("/"), env.value("VERCEL_TOKEN")
        if not (url and token):
            raise CANNOT
        server = (url, token)
    url, token = server
    limits = guard.Limits.from_env("read")
    try:
        response = guard.fetch_sync("GET", f"{url}/_cronctl/runs", limits=limits, timeout=10,
                                    trust_env=False,
                                    headers={"Authorization": f"Bearer {token}"})
        data = response.json() if response.status_code == 200 else None
    except TimeoutError:
        raise limits.exceeded(f"cronctl dev at {url}", "GET /_cronctl/runs",
                              "check QSTASH_URL") from None
    except (httpx.HTTPError, guard.TooLarge, ValueError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("runs"), list):
        raise CANNOT
    return data


def dev_runs(server: tuple[str, str] | None, jobs: list, *, since_ms: int,
             until_ms: int | None, state: str | None, limit: int,
             data: dict | None = None) -> list[Run]:
    """The runs the `cronctl dev` at `server` (url, token) fired for these jobs, newest first
    (from `data`, its run log already read, when given); UsageError when there is none."""
    from ..qstash.runs import iso

    data = dev_log(server) if data is None else data
    names = {j.name for j in jobs}
    out = []
    for i, r in enumerate(data["runs"]):
        due = int(r.get("scheduledTime") or 0)
        if r.get("job") not in names or due < since_ms or (until_ms and due > until_ms):
            continue
        status = r.get("status")
        status = status if isinstance(status, int) and not isinstance(status, bool) else None
        ok = status is not None and 200 <= status < 300
        by = "manual" if r.get("triggeredBy") == "manual" else "schedule"
        out.append(Run(job=r["job"], run_id=run_id(due, by, i), due=iso(due),
                       started=iso(due), started_by=by, state="delivered" if ok else "failed",
                       attempts=1, status=status, duration_ms=r.get("durationMs"),
                       error=None if ok else r.get("error"),
                       sort_ms=due))
    out.sort(key=lambda run: (run.sort_ms, run.run_id), reverse=True)
    if state:
        out = [r for r in out if r.state == state]
    return out[:limit]


def run_id(due_ms: int, started_by: str, index: int) -> str:
    """A run's ID: a run now's is its invocation time (what `trigger --wait` follows)."""
    return f"vercel-run@{due_ms}-{index + 1}" if started_by == "manual" \
        else f"vercel-{index + 1}"


def wait_for(server: tuple[str, str] | None, jobs: list, run: str, timeout: float) -> Run:
    """The run now `run` (vercel-run@MS) once `cronctl dev` recorded it; in flight until then.
    Vercel's run endpoint answers before the app does: only the run says how it went."""
    import time

    from ..qstash.runs import iso

    due = int(run.rpartition("@")[2])
    deadline = time.monotonic() + timeout
    while True:
        # the newest run now at that time (cronctl dev records it before Vercel's endpoint
        # answers; a frozen dev clock can give two runs one time)
        found = [r for r in dev_runs(server, jobs, since_ms=due, until_ms=due, state=None,
                                     limit=50) if r.run_id.startswith(f"{run}-")]
        if found:
            return max(found, key=lambda r: int(r.run_id.rpartition("-")[2]))
        if time.monotonic() >= deadline:
            return Run(job=jobs[0].name, run_id=run, due=iso(due), started=iso(due),
                       started_by="manual", state="in-flight", sort_ms=due)
        time.sleep(0.2)
