"""The vercel target's deployed side: the file, vercel.json and the production deployment's
crons side by side (`list`), their health (`probe`) and running a cron there (`trigger`).

Statuses of an infrastructure job, the first that applies:

    disabled          enabled: false, and neither vercel.json nor the deployment has it
    drifted           enabled: false, but vercel.json (or the deployment) still has it
    missing           not in vercel.json yet: run 'cronctl generate'
    crons disabled    Cron Jobs are disabled for the project (dashboard toggle)
    in sync           deployed with the file's schedule
    schedule differs  deployed on its path with another schedule
    not deployed      in vercel.json, not in the production deployment
and one row per deployed cron no job of the file accounts for: `not in the file` (a cron a
builder such as Nitro merged into the deployment, or an older deploy kept by a rollback).
Without VERCEL_TOKEN (or with vercel.output: schedules) the deployed side is not read and the
statuses stop at `in sync` / `missing`, as `vercel crons ls` does for vercel.json alone.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ...errors import ConfigError, CronctlError, ProviderError
from ..base import Check, TriggerResult
from .api import Definition, Deployed, VercelApi, connect, token
from .model import dialect as dialect_of
from .model import settings as vercel_settings


def _iso_ms(value) -> str | None:
    if not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value / 1000, UTC).isoformat()


def statuses(jobs: list, file_crons: list[dict], deployed: Deployed | None
             ) -> tuple[list[tuple], list[Definition]]:
    """[(job, status, in vercel.json, deployed Definition or None)], deployed-only crons."""
    pool = list(deployed.definitions) if deployed else []
    # Every exact (path, schedule) match first, then the same path: two jobs on one path
    # never take each other's deployed cron.
    found: dict[str, Definition] = {}
    for exact in (True, False):
        for job in jobs:
            if job.name not in found:
                d = next((d for d in pool if d.path == job.path
                          and (not exact or d.schedule == job.schedule)), None)
                if d is not None:
                    pool.remove(d)
                    found[job.name] = d
    out = []
    for job in jobs:
        in_json = {"path": job.path, "schedule": job.schedule} in file_crons
        d = found.get(job.name)
        if not job.enabled:
            status = "drifted" if in_json or d else "disabled"
        elif not in_json:
            status = "missing"
        elif deployed is None:
            status = "in sync"
        elif deployed.disabled:
            status = "crons disabled"
        elif d is None:
            status = "not deployed"
        else:
            status = "in sync" if d.schedule == job.schedule else "schedule differs"
        out.append((job, status, in_json, d))
    return out, pool


def deployed_state(target) -> tuple[Deployed | None, str | None]:
    """(the deployment's crons, None), or (None, why they were not read). Raises on a refusal."""
    if vercel_settings(target.config).output == "schedules":
        return None, ("vercel.output is schedules: the deployed Vercel Schedules are not read "
                      "yet (see 'vercel schedules ls'); vercel.json only")
    api, why = connect(target.config, tell=target.tell)
    if api is None:
        return None, why
    try:
        return api.project(), None
    finally:
        target.requests += api.requests


def rows(target, file_crons: list[dict], deployed: Deployed | None,
         last: dict | None = None) -> list[dict]:
    """`cronctl list` rows; `last`: each job's newest run ({job: Run}) where one is known."""

    listed, extra = statuses(target.jobs, file_crons, deployed)
    config = target.config
    dialect = dialect_of(vercel_settings(config))
    out = []
    for job, status, in_json, found in listed:
        zone = job.timezone if vercel_settings(config).output == "schedules" else None
        nxt = dialect.next_runs(job.schedule, zone, 1, target.now()) if job.enabled else []
        prev = (last or {}).get(job.name)
        row = {"name": job.name, "tier": job.tier, "target": target.name,
               "schedule": job.schedule, "timezone": job.timezone,
               "schedule_id": None,
               "next_run": nxt[0].isoformat() if nxt else None,
               "last_run": prev.due if prev else None,
               "last_states": [prev.state] if prev else [], "paused": None, "status": status,
               "where": "vercel.json",
               "in_file": True, "in_vercel_json": in_json,
               "deployed": None if deployed is None else found is not None,
               "deployed_schedule": found.schedule if found else None}
        if status == "schedule differs" and found is not None:
            row["drift"] = [f"deployed: {found.schedule}"]
        out.append(row)
    for d in extra:
        out.append({"name": d.path, "tier": "infrastructure", "target": target.name,
                    "schedule": d.schedule, "timezone": "UTC", "schedule_id": None,
                    "next_run": None, "last_run": None, "last_states": [], "paused": None,
                    "status": "not in the file", "where": "deployment", "in_file": False,
                    "in_vercel_json": {"path": d.path, "schedule": d.schedule} in file_crons,
                    "deployed": True, "deployed_schedule": d.schedule, "source": d.source,
                    **({"drift": [f"source: {d.source}"]} if d.source else {})})
    return out


def probe(target, file_crons: list[dict]) -> list[Check]:
    """Fail when crons are disabled or a file job is not deployed; warn on deployed-only."""
    try:
        deployed, why = deployed_state(target)
    except CronctlError as exc:
        return [Check("Vercel project", "fail", exc.message, exc.hint)]
    if deployed is None:

        if token() and vercel_settings(target.config).output == "crons":  # a token, but no project
            return [Check("Vercel project", "warn", why or "not found",
                          "set vercel.project in schedules.yaml (or VERCEL_PROJECT_ID), or "
                          "run 'vercel link'")]
        target.tell(f"note: {why}")
        return []
    checks = []
    if deployed.disabled:
        checks.append(Check("Vercel project", "fail",
                            f"{deployed.name}: cron jobs are disabled for the project "
                            f"(since {_iso_ms(deployed.disabled_at)})",
                            "enable them in the project's Settings -> Cron Jobs"))
    else:
        checks.append(Check("Vercel project", "ok",
                            f"{deployed.name}: {len(deployed.definitions)} crons in production"
                            + (f" (deployment {deployed.deployment_id})"
                               if deployed.deployment_id else "")))
    listed, extra = statuses(target.jobs, file_crons, deployed)
    problems: dict[str, list[str]] = {}
    for job, status, _, _ in listed:
        if status in ("missing", "not deployed", "schedule differs"):
            problems.setdefault("not deployed" if status == "missing" else status,
                                []).append(job.name)
    if problems:
        detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in problems.items())
        checks.append(Check("Vercel crons", "fail", detail,
                            "run 'cronctl generate', commit vercel.json and deploy to "
                            "production (a Preview deploy does not run crons)"))
    elif not deployed.disabled:
        n = sum(1 for _, s, _, _ in listed if s == "in sync")
        checks.append(Check("Vercel crons", "ok", f"{n} jobs deployed as the file says"))
    if extra:
        paths = ", ".join(f"{d.path} ({d.schedule})" for d in extra)
        checks.append(Check("Vercel crons", "warn", f"deployed but not in the file: {paths}",
                            "a builder (e.g. Nitro) or an older deployment added them; add "
                            "them to schedules.yaml or remove them at their source"))
    still = [job.name for job, _, _, found in listed if not job.enabled and found is not None]
    if still:
        checks.append(Check("Vercel crons", "warn",
                            f"enabled: false but still deployed: {', '.join(still)}",
                            "run 'cronctl generate' and deploy to production"))
    return checks


def runnable(target, job, api: VercelApi) -> tuple[Deployed, Definition]:
    """What Vercel would run for this job (asked once, before any confirmation), or raise."""
    try:
        deployed = api.project()
    finally:
        target.requests += api.requests
    if deployed.disabled:
        raise ProviderError(f"cron jobs are disabled for the Vercel project "
                            f"{deployed.name!r}; Vercel would not run {job.name!r}",
                            hint="enable them in the project's Settings -> Cron Jobs")
    listed, _ = statuses(target.jobs, [], deployed)
    found = next((d for j, _, _, d in listed if j.name == job.name), None)
    if found is None:
        raise ProviderError(
            f"{job.name!r} ({job.path}) is not deployed to production on Vercel",
            hint="run 'cronctl generate', deploy to production, then trigger again; or "
            "unset VERCEL_TOKEN to call the app's URL directly")
    return deployed, found


def trigger(target, job, api: VercelApi, ready: tuple[Deployed, Definition] | None = None
            ) -> TriggerResult:
    """POST /v1/projects/{id}/crons/run, as `vercel crons run` does: Vercel calls the
    production deployment with its own cron headers."""
    deployed, found = ready or runnable(target, job, api)
    before = api.requests
    try:
        answer = api.run(deployed.project_id or api.ref.project, found.path, found.schedule)
    finally:
        target.requests += api.requests - before
    at = _iso_ms(answer.get("invocationAt"))
    ms = answer.get("invocationAt")
    return TriggerResult(
        run_id=f"vercel-run@{int(ms)}" if isinstance(ms, int | float) else None,
        facts=
        {"job": job.name, "tier": job.tier, "target": target.name, "via": "vercel",
         "project": deployed.name, "path": found.path, "schedule": found.schedule,
         "invocation_at": at},
        text=f"Vercel ran {job.name} ({found.path}) on the production deployment of "
        f"{deployed.name}" + (f": invocation at {at}" if at else "")
        + (f"\nnote: production runs it on {found.schedule!r}, the file says "
           f"{job.schedule!r}; deploy to apply the file" if found.schedule != job.schedule
           else ""))


def direct_url(target, job) -> str:
    """The URL `trigger` calls without a token; refuses (before anything is sent) when there is
    none, or no CRON_SECRET for the Authorization Vercel would send."""
    from ...secrets import require_cron_secret
    from ...urls import display

    base = target.config.base_url
    if not base or "${" in base:
        raise ConfigError("base_url is not set, so the infrastructure job has no URL",
                          hint="set base_url (e.g. ${APP_URL}) and export it")
    require_cron_secret(f"GET {display(base + job.path)}", "Vercel Cron")
    return base + job.path


def trigger_direct(target, job) -> TriggerResult:
    """Without a token: the request Vercel would send, from here (GET base_url + path), bounded
    like every request cronctl makes: the overall deadline for changes and the size cap."""
    import time

    import httpx

    from ... import httpguard as guard
    from ...urls import display
    from .crons import cron_request_headers

    url = direct_url(target, job)
    shown = display(url)
    limits = guard.Limits.from_env("write")
    started = time.perf_counter()
    try:
        response = guard.fetch_sync("GET", url, limits=limits, timeout=limits.deadline,
                                    headers=cron_request_headers(job.schedule))
    except guard.TooLarge:
        raise ProviderError(f"GET {shown}: the answer is larger than {limits.max_response} "
                            "bytes; stopped reading",
                            hint="CRONCTL_MAX_RESPONSE=BYTES raises the cap") from None
    except TimeoutError:
        raise limits.exceeded(shown, "GET", "is the app running at base_url?") from None
    except httpx.HTTPError as exc:
        raise ProviderError(f"GET {shown}: {type(exc).__name__}",
                            hint="is the app running at base_url?") from None
    ms = (time.perf_counter() - started) * 1000
    refused = ("\nhint: the app refused the bearer: does its CRON_SECRET match the one sent "
               "from here?" if response.status_code in (401, 403) else "")
    return TriggerResult(
        {"job": job.name, "tier": job.tier, "target": target.name, "url": url,
         "status": response.status_code, "ms": round(ms, 1)},
        f"GET {url}: HTTP {response.status_code} in {ms:.0f} ms{refused}",
        ok=200 <= response.status_code < 300)  # as Vercel counts a cron run
