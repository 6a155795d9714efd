"""The app's own diagnostics endpoint (`diagnostics:` in schedules.yaml), for `cronctl probe`.
Not a target: it checks the app the jobs call, never a job's own endpoint."""

from __future__ import annotations

import asyncio
import time

from . import httpguard as guard
from .config import Config
from .environment import current
from .targets.base import Check


def diagnostics(config: Config) -> list[Check]:
    return asyncio.run(_diagnostics(config))


async def _diagnostics(config: Config) -> list[Check]:
    import httpx

    if config.diagnostics is None:
        return []
    if not config.base_url or "${" in config.base_url:
        return [Check("diagnostics", "fail", "base_url is not set", "export APP_URL")]
    url = config.base_url + config.diagnostics.path
    secret = current().get("CRON_SECRET")
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    components = config.diagnostics.components or ("",)
    limits = guard.Limits.from_env()
    async with httpx.AsyncClient(timeout=15) as http:

        async def one(component: str) -> Check:
            name = f"diagnostics {component}".strip()
            params = {"component": component} if component else {}
            started = time.perf_counter()
            try:
                # Bounded like every QStash call: a size cap, and an overall deadline.
                async with asyncio.timeout(limits.left):
                    response = await guard.fetch(http, "GET", url, params=params,
                                                 headers=headers,
                                                 max_bytes=limits.max_response)
            except TimeoutError:
                err = limits.exceeded(url, "GET", "is the app up, and base_url right?")
                return Check(name, "fail", err.message, err.hint)
            except (httpx.HTTPError, guard.TooLarge) as exc:
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

        started = time.monotonic()
        try:
            return list(await asyncio.gather(*(one(c) for c in components)))
        finally:
            limits.spent(time.monotonic() - started)


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
