"""`cronctl probe`: a health check before and after a deploy, one row per check.

It never calls a job's own endpoint: that would run the job.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import asdict, dataclass

from .. import vercel
from ..config import Config, inspect_config
from ..config.diagnostics import errors
from ..errors import CronctlError
from ..output import print_json, print_renderable
from . import _qstash

MIN_SECRET = 16


@dataclass
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str
    hint: str | None = None


def check_cron_secret(value: str | None) -> Check:
    name = "CRON_SECRET"
    if not value:
        return Check(name, "fail", "not set",
                     "set CRON_SECRET in the environment (and in Vercel's project settings)")
    bad = [c for c in value if not (0x20 < ord(c) < 0x7F)]
    if bad or value != value.strip():
        return Check(name, "fail", "holds characters that are invalid in an HTTP header "
                     "(whitespace, control or non-ASCII)",
                     "use printable ASCII only, e.g. `openssl rand -hex 32`; Vercel's build "
                     "refuses such a value")
    if len(value) < MIN_SECRET:
        return Check(name, "fail", f"only {len(value)} characters",
                     f"use at least {MIN_SECRET}, e.g. `openssl rand -hex 32`")
    return Check(name, "ok", f"set, {len(value)} characters")


def _file_checks(state) -> tuple[Config | None, list[Check]]:
    path = state.config_path()
    config, diags = inspect_config(path)
    bad = errors(diags)
    if config is None:
        first = bad[0].render().splitlines()[0] if bad else "invalid"
        return None, [Check("schedules.yaml", "fail", f"{len(bad)} error(s): {first}",
                            "run 'cronctl validate'")]
    checks = [Check("schedules.yaml", "ok", f"valid, {len(config.jobs)} jobs")]
    try:
        change = vercel.plan(config)
    except CronctlError as exc:
        checks.append(Check("vercel.json", "fail", exc.message, exc.hint))
    else:
        if change.changed:
            checks.append(Check("vercel.json", "fail", "out of date with schedules.yaml",
                                "run 'cronctl generate' and commit vercel.json"))
        else:
            checks.append(Check("vercel.json", "ok", "up to date"))
    return config, checks


async def _qstash_checks(state, config: Config) -> list[Check]:
    from ..qstash.client import RetryPolicy
    from ..sync import build_plan

    checks: list[Check] = []
    try:
        client = _qstash.client(state)
    except CronctlError as exc:
        return [Check("QStash", "fail", exc.message, exc.hint)]
    client.retry = RetryPolicy(attempts=2, base=client.retry.base)
    async with client:
        started = time.perf_counter()
        try:
            keys = await client.keys()
        except CronctlError as exc:
            return [Check("QStash", "fail", exc.message, exc.hint)]
        rtt = (time.perf_counter() - started) * 1000
        checks.append(Check("QStash", "ok", f"{client.base_url} answered, token accepted, "
                            f"{rtt:.0f} ms"))
        checks.extend(_signing_keys(keys))
        try:
            config.require_env(("business",))
            plan = await build_plan(config, client)
        except CronctlError as exc:
            checks.append(Check("schedules", "fail", exc.message, exc.hint))
        else:
            checks.append(_schedule_check(plan))
    return checks


def _signing_keys(keys: dict) -> list[Check]:
    out = []
    for env_name, field in (("QSTASH_CURRENT_SIGNING_KEY", "current"),
                            ("QSTASH_NEXT_SIGNING_KEY", "next")):
        value = os.environ.get(env_name)
        if not value:
            continue
        if value == keys.get(field):
            out.append(Check(env_name, "ok", "matches QStash"))
        else:
            out.append(Check(env_name, "fail", f"does not match QStash's {field} signing key",
                             "copy both signing keys again from the Upstash console; the app "
                             "will reject every delivery until they match"))
    return out


def _schedule_check(plan) -> Check:
    kinds = {"create": "missing", "update": "drifted", "delete": "orphaned",
             "pause": "should be paused", "resume": "paused against the file"}
    problems: dict[str, list[str]] = {}
    for c in plan.changes:
        problems.setdefault(kinds[c.action], []).append(c.job)
    if not problems:
        return Check("schedules", "ok", f"{len(plan.unchanged)} managed schedules in sync")
    detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in problems.items())
    return Check("schedules", "fail" if set(problems) - {"orphaned"} else "warn", detail,
                 "run 'cronctl diff' to see the plan, then 'cronctl schedule'")


async def _diagnostics(config: Config) -> list[Check]:
    import httpx

    if config.diagnostics is None:
        return []
    if not config.base_url or "${" in config.base_url:
        return [Check("diagnostics", "fail", "base_url is not set", "export APP_URL")]
    url = config.base_url + config.diagnostics.path
    secret = os.environ.get("CRON_SECRET")
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    components = config.diagnostics.components or ("",)
    from ..qstash import guard

    limits = guard.Limits.from_env()
    async with httpx.AsyncClient(timeout=15) as http:

        async def one(component: str) -> Check:
            name = f"diagnostics {component}".strip()
            params = {"component": component} if component else {}
            started = time.perf_counter()
            try:
                # Bounded like every QStash call: a size cap, and an overall deadline.
                async with asyncio.timeout(limits.deadline):
                    response = await guard.fetch(http, "GET", url, params=params,
                                                 headers=headers,
                                                 max_bytes=limits.max_response)
            except (httpx.HTTPError, guard.TooLarge, TimeoutError) as exc:
                return Check(name, "fail", f"{url}: {type(exc).__name__}",
                             "is the app up, and base_url right?")
            ms = (time.perf_counter() - started) * 1000
            status = _component_status(response)
            if response.status_code >= 400 or status in ("fail", "error", "down", "unhealthy"):
                return Check(name, "fail", f"HTTP {response.status_code}, status "
                             f"{status or 'unknown'}, {ms:.0f} ms",
                             f"see the app's logs for the {component or 'diagnostics'} check")
            if status in ("degraded", "warn", "warning"):
                return Check(name, "warn", f"degraded, {ms:.0f} ms")
            return Check(name, "ok", f"{status or 'HTTP ' + str(response.status_code)}, "
                         f"{ms:.0f} ms")

        return list(await asyncio.gather(*(one(c) for c in components)))


def _component_status(response) -> str | None:
    try:
        data = response.json()
    except ValueError:
        return None
    if isinstance(data, dict):
        value = data.get("status") or data.get("state")
        if isinstance(value, str):
            return value.lower()
        if isinstance(data.get("healthy"), bool):
            return "ok" if data["healthy"] else "fail"
    return None


def run(state, *, json_out: bool) -> int:
    config, checks = _file_checks(state)
    checks.append(check_cron_secret(os.environ.get("CRON_SECRET")))
    if config is not None:
        async def remote() -> list[Check]:
            return [*(await _qstash_checks(state, config)), *(await _diagnostics(config))]

        checks.extend(asyncio.run(remote()))
    failed = sum(1 for c in checks if c.status == "fail")
    warned = sum(1 for c in checks if c.status == "warn")
    if json_out:
        print_json({"ok": failed == 0, "failed": failed, "warnings": warned,
                    "checks": [asdict(c) for c in checks]})
    else:
        print_renderable(_table(checks))
        from ..output import echo

        echo(f"{len(checks)} checks: {failed} failed, {warned} warnings.")
    return 1 if failed else 0


def _table(checks: list[Check]):
    from rich.markup import escape
    from rich.table import Table

    style = {"ok": "green", "warn": "yellow", "fail": "red"}
    t = Table(title="cronctl probe", title_justify="left")
    for col in ("check", "", "detail", "what to do"):
        t.add_column(col)
    for c in checks:
        t.add_row(c.name, f"[{style[c.status]}]{c.status}[/]", escape(c.detail),
                  escape(c.hint or ""))
    return t
