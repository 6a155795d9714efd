"""`cronctl dev`: start-up time and memory (RSS) after 10,000 messages (a developer tool).

    .venv/bin/python bench/dev_memory.py [--messages 10000] [--memory]

Starts `cronctl dev` as its own process (a database file in a temporary folder, or --memory),
and a loopback receiver, publishes the messages over real HTTP (16 at a time), waits until every
one is delivered, and prints the start-up time (process start to first answered request) and
the server's RSS (Linux /proc) at start, after publishing and when all are delivered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from cronctl.dev import TOKEN
from cronctl.testing import ReceiverApp


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def publish_all(url: str, target: str, n: int) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=url, headers=headers, trust_env=False,
                                 timeout=60) as http:
        sem = asyncio.Semaphore(16)

        async def one(i: int) -> None:
            async with sem:
                r = await http.post(f"/v2/publish/{target}/m{i}", content=b'{"n": %d}' % i)
                r.raise_for_status()

        await asyncio.gather(*(one(i) for i in range(n)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--memory", action="store_true", help="cronctl dev --memory")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp, ReceiverApp() as app:
        state = ["--memory"] if args.memory else ["--db", f"{tmp}/dev.sqlite3"]
        cronctl = Path(sys.executable).with_name("cronctl")
        started = time.perf_counter()
        proc = subprocess.Popen([str(cronctl), "dev", "--port", str(port), *state],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**os.environ, "NO_COLOR": "1"}, cwd=tmp)
        url = f"http://127.0.0.1:{port}"
        try:
            while True:
                try:
                    httpx.get(f"{url}/v2/keys", headers={"Authorization": f"Bearer {TOKEN}"},
                              trust_env=False).raise_for_status()
                    break
                except httpx.HTTPError:
                    time.sleep(0.01)
            startup = time.perf_counter() - started
            at_start = rss_mib(proc.pid)
            asyncio.run(publish_all(url, app.url, args.messages))
            after_publish = rss_mib(proc.pid)
            deadline = time.monotonic() + 300
            while len(app.requests) < args.messages and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(0.5)
            delivered = len(app.requests)
            done = rss_mib(proc.pid)
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"state: {'memory' if args.memory else 'SQLite file'}; messages: {args.messages}; "
          f"delivered: {delivered}")
    print(f"start-up (process start to first answer): {startup:.2f} s")
    print(f"RSS at start {at_start:.1f} MiB, after publishing {after_publish:.1f} MiB, "
          f"all delivered {done:.1f} MiB")


if __name__ == "__main__":
    main()
