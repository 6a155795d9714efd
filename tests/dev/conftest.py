"""Fixtures: a real `cronctl dev` (frozen clock) and a receiving app, both on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from cronctl.testing import DevServer, ReceiverApp

START = "2026-01-05T08:00:00Z"  # a Monday


class Api:
    """A plain HTTP client for the server's QStash API."""

    def __init__(self, srv: DevServer) -> None:
        self.http = httpx.Client(base_url=srv.url, trust_env=False, timeout=30,
                                 headers={"Authorization": f"Bearer {srv.token}"})

    def upsert(self, destination: str, cron: str = "0 9 * * *", body: str = "",
               **headers: str) -> httpx.Response:
        """`Upstash_Schedule_Id="x"` style keywords become `Upstash-Schedule-Id: x` headers."""
        h = {"Upstash-Cron": cron, **{k.replace("_", "-"): v for k, v in headers.items()}}
        return self.http.post(f"/v2/schedules/{destination}", headers=h, content=body.encode())

    def get(self, path: str, **kw) -> httpx.Response:
        return self.http.get(path, **kw)

    def request(self, method: str, path: str, **kw) -> httpx.Response:
        return self.http.request(method, path, **kw)


@pytest.fixture
def receiver() -> Iterator[ReceiverApp]:
    with ReceiverApp() as app:
        yield app


@pytest.fixture
def srv() -> Iterator[DevServer]:
    with DevServer(clock=f"frozen:{START}") as server:
        yield server


@pytest.fixture
def api(srv: DevServer) -> Iterator[Api]:
    client = Api(srv)
    yield client
    client.http.close()


@pytest.fixture
def api_for() -> Iterator[Callable[[DevServer], Api]]:
    """`api_for(server)`: an Api for a server a test starts itself."""
    clients: list[Api] = []

    def make(server: DevServer) -> Api:
        clients.append(Api(server))
        return clients[-1]

    yield make
    for client in clients:
        client.http.close()
