"""`cronctl trigger JOB`: run a job now, the way its provider would."""

from __future__ import annotations

import asyncio
import time

from ..errors import ConfigError, ProviderError
from ..output import echo, print_json
from ..targets.qstash import connect as _qstash
from ..targets.vercel import cron_request_headers


def run(state, job_name: str, *, yes: bool, json_out: bool) -> int:
    config = state.load()
    job = config.job(job_name)
    if not _qstash.confirm(f"Run {job.name} now?", yes=yes):
        echo("Nothing was run.", err=True)
        return 0
    if job.is_business:
        config.require_env(("business",))
        from ..targets.qstash.spec import from_job

        spec = from_job(job)
        headers = spec.request_headers()
        for name in ("Upstash-Cron", "Upstash-Schedule-Id", "Upstash-Delay"):
            headers.pop(name, None)

        async def publish() -> str:
            async with _qstash.client(state) as client:
                return await client.publish(spec.destination, headers, spec.body)

        message_id = asyncio.run(publish())
        if json_out:
            print_json({"job": job.name, "tier": job.tier, "message_id": message_id,
                        "destination": spec.destination})
        else:
            echo(f"published {job.name} to {spec.destination}: message {message_id}")
            echo(f"follow it with: cronctl stats --job {job.name}")
        return 0
    if not config.base_url or "${" in config.base_url:
        raise ConfigError("base_url is not set, so the infrastructure job has no URL",
                          hint="set base_url (e.g. ${APP_URL}) and export it")
    import httpx

    url = config.base_url + job.path
    started = time.perf_counter()
    try:
        response = httpx.get(url, headers=cron_request_headers(job.schedule), timeout=300)
    except httpx.HTTPError as exc:
        raise ProviderError(f"GET {url}: {type(exc).__name__}: {exc}",
                            hint="is the app running at base_url?") from None
    ms = (time.perf_counter() - started) * 1000
    if json_out:
        print_json({"job": job.name, "tier": job.tier, "url": url,
                    "status": response.status_code, "ms": round(ms, 1)})
    else:
        echo(f"GET {url}: HTTP {response.status_code} in {ms:.0f} ms")
    return 0 if response.status_code < 400 else 1
