"""`cronctl dev` fires QStash schedules when robfig/cron would: its times come from golden.json
(the real library's answers), across DST changes, through real HTTP to a real receiver."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from cronctl.testing import DevServer, ReceiverApp

GOLDEN = json.loads((Path(__file__).parent / "robfig" / "golden.json").read_text("utf-8"))
BY_EXPR = {c["expr"]: c for c in GOLDEN["cases"]}


def _case(expr: str, local_start: str) -> tuple[str, int, list[int]]:
    """(cron, start, robfig's runs from that start) for the golden start on that local date."""
    case = BY_EXPR[expr]
    for start, runs in zip(case["starts"], case["runs"], strict=True):
        if datetime.fromtimestamp(start, UTC).isoformat().startswith(local_start):
            return expr, start, runs
    raise AssertionError(f"no golden start {local_start} for {expr}")


CASES = [
    _case("CRON_TZ=America/New_York 30 2 * * *", "2026-03-07T07"),  # spring gap: skipped
    _case("CRON_TZ=America/New_York 30 1 * * *", "2026-10-31T06"),  # fall overlap: twice
    _case("CRON_TZ=Australia/Lord_Howe 0 2 * * *", "2026-04-04T13"),  # 30-minute change
    _case("CRON_TZ=Australia/Lord_Howe 30 1 * * *", "2026-10-03T15"),  # robfig's extra run
    _case("CRON_TZ=America/Santiago 0 0 * * *", "2026-04-04T03"),  # midnight change
]


@pytest.mark.parametrize(("cron", "start", "runs"), CASES, ids=[c[0] for c in CASES])
def test_dev_fires_on_robfigs_times(cron, start, runs):
    clock = datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with ReceiverApp() as receiver, DevServer(clock=f"frozen:{clock}") as srv, \
            httpx.Client(base_url=srv.url, trust_env=False, timeout=30,
                         headers={"Authorization": f"Bearer {srv.token}"}) as http:
        made = http.post(f"/v2/schedules/{receiver.url}/tick",
                         headers={"Upstash-Cron": cron, "Upstash-Schedule-Id": "tick"})
        assert made.status_code in (200, 201), made.text
        srv.advance(runs[-1] - start + 1)
        fired = sorted(e["time"] // 1000 for e in srv.events(scheduleId="tick", state="CREATED"))
        assert fired == runs
        assert len(receiver.requests) == len(runs)
