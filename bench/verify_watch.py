"""The runner's watch (issue 28 items 5, 6): detection latency (a slot due -> its
notification), false alarms over healthy slots (the target is 0), and the provider requests of
watching n jobs, beside one `cronctl stats --since <window>` on the same logs (the reference: the
batched read verify shares). `--write` puts the table in BENCHMARKS.md (its own section, which
bench/run.py keeps).

    .venv/bin/python bench/verify_watch.py [--jobs 1000] [--healthy 50] [--samples 3] [--write]

Everything is real: a `cronctl dev` subprocess (QStash; its clock frozen and moved on through
its control API, which the watching runner follows), a loopback app, a `cronctl run` watching
every 5 s, apprise notifying a loopback webhook (json://). Requests are counted by the dev
server; a poll is counted from the runner's own /metrics.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (bench/run.py: helpers, machine())

from cronctl.dev import CURRENT_SIGNING_KEY, NEXT_SIGNING_KEY, TOKEN  # noqa: E402
from cronctl.testing import ReceiverApp  # noqa: E402

SECTION = "## The runner's watch (`runner.watch`)"
EVERY_S = 5
SECRET = "bench-watch-secret"
QSTASH_LIMIT_PER_S = 100  # the API rate bench/run.py models (`cronctl dev --rate-limit 100`)


def env(**extra: str) -> dict[str, str]:
    drop = ("QSTASH_URL", "QSTASH_TOKEN", "CRON_SECRET", "APP_URL", "CRONCTL_CONFIG",
            "CRONCTL_DATABASE_URL", "GITHUB_ACTIONS")
    out = {k: v for k, v in os.environ.items() if k not in drop}
    out.update(NO_COLOR="1", PYTHONUNBUFFERED="1", CRON_SECRET=SECRET, **extra)
    return out


def wait_for(check, what: str, wait_s: float = 600):
    deadline = time.monotonic() + wait_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(0.05)


class Dev:
    def __init__(self, folder: Path, start: str, app_url: str) -> None:
        self.log = (folder / "dev.log").open("w")
        self.proc = subprocess.Popen(
            bench.cronctl("dev", "--memory", "--port", "0", "--clock", f"frozen:{start}",
                          "--app-url", app_url), cwd=folder, env=env(), stdout=self.log,
            stderr=subprocess.STDOUT)
        info = folder / ".cronctl" / "dev.json"
        data = json.loads(wait_for(lambda: info.exists() and info.read_text(), "dev.json"))
        self.url = data["url"]
        self.http = httpx.Client(base_url=self.url, trust_env=False, timeout=600,
                                 headers={"Authorization": f"Bearer {TOKEN}"})

    def schedules(self) -> int:
        return len(self.http.get("/_cronctl/schedules").json())

    def advance(self, seconds: float) -> None:
        self.http.post("/_cronctl/advance", params={"seconds": seconds}).raise_for_status()

    def requests(self) -> int:
        return int(self.http.get("/_cronctl/stats").json()["total"])

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Watching:
    def __init__(self, folder: Path, app_url: str) -> None:
        self.port = bench_port()
        self.err = (folder / "run.log").open("w")
        self.proc = subprocess.Popen(
            bench.cronctl("run", "--listen", f"127.0.0.1:{self.port}"), cwd=folder,
            env=env(APP_URL=app_url, QSTASH_CURRENT_SIGNING_KEY=CURRENT_SIGNING_KEY,
                    QSTASH_NEXT_SIGNING_KEY=NEXT_SIGNING_KEY),
            stdout=self.err, stderr=subprocess.STDOUT)

    def metric(self, name: str, **labels: str) -> float:
        from prometheus_client.parser import text_string_to_metric_families

        try:
            text = httpx.get(f"http://127.0.0.1:{self.port}/metrics", trust_env=False).text
        except httpx.HTTPError:
            return 0.0
        return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
                   if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))

    def polls(self) -> float:
        if self.proc.poll() is not None:
            raise SystemExit(f"cronctl run exited: {Path(self.err.name).read_text()[-2000:]}")
        return self.metric("cronctl_watch_polls_total")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=120)
        self.err.close()


def bench_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def project(folder: Path, n: int, schedule: str, hook: str, since: str) -> None:
    jobs = "".join(f"  job-{i:04d}:\n    tier: business\n    path: /api/cron/job-{i:04d}\n"
                   f'    schedule: "{schedule}"\n' for i in range(n))
    (folder / "schedules.yaml").write_text(
        "version: 1\nproject: bench\nbase_url: ${APP_URL}\n"
        "defaults:\n  retries: 3\n  headers:\n    Authorization: Bearer ${CRON_SECRET}\n"
        f"runner:\n  notify: [\"{hook}\"]\n  watch: {{every: {EVERY_S}s, since: {since}}}\n"
        "jobs:\n" + jobs)


def start_of(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:00Z")


def alarms_and_latency(healthy: int, samples: int) -> dict:
    """`healthy` jobs every 5 minutes, an hour of deliveries, watched: notifications (false
    alarms), then `samples` schedules deleted one by one: deadline passed -> notification."""
    with tempfile.TemporaryDirectory() as tmp, ReceiverApp() as app, ReceiverApp() as hook:
        folder = Path(tmp)
        project(folder, healthy, "*/5 * * * *", f"json://{hook.url[7:]}/hook", "2h")
        dev = Dev(folder, start_of(0), app.url)
        watch = None
        try:
            wait_for(lambda: dev.schedules() == healthy, "the file applied")
            dev.advance(3600)
            watch = Watching(folder, app.url)
            wait_for(lambda: watch.polls() >= 3, "three polls")
            judged = watch.metric("cronctl_watch_slots", state="ok")
            false_alarms = len(hook.requests)
            latencies = []
            for k in range(samples):
                name = f"cronctl.bench.job-{k:04d}"
                dev.http.delete(f"/v2/schedules/{name}").raise_for_status()
                before = len(hook.requests)
                dev.advance(300 + 61)  # the next slot is due and its tolerance has passed
                began = time.monotonic()
                wait_for(lambda b=before: len(hook.requests) > b, "the notification")
                latencies.append(time.monotonic() - began)
                polls = watch.polls()
                wait_for(lambda p=polls: watch.polls() >= p + 2, "two more polls")
            told = [json.loads(r.body) for r in hook.requests]
            problems = sum(1 for t in told if t.get("type") == "failure")
        finally:
            if watch is not None:
                watch.stop()
            dev.stop()
    return {"judged": int(judged), "false_alarms": false_alarms, "latencies": latencies,
            "notifications": problems, "samples": samples}


def requests_per_poll(n: int, hours: int) -> dict:
    """n hourly jobs with `hours` of deliveries: the requests of watch polls (looking back as
    far), and of one `cronctl stats --since <hours>h` (the reference), counted by the dev
    server."""
    with tempfile.TemporaryDirectory() as tmp, ReceiverApp() as app, ReceiverApp() as hook:
        folder = Path(tmp)
        project(folder, n, "7 * * * *", f"json://{hook.url[7:]}/hook", f"{hours}h")
        dev = Dev(folder, start_of(0), app.url)
        watch = None
        try:
            wait_for(lambda: dev.schedules() == n, "the file applied", 1800)
            for _ in range(hours):  # an hour at a time: each answer in bounded time
                dev.advance(3600)
            before = dev.requests()
            subprocess.run(bench.cronctl("stats", "--since", f"{hours}h", "--json"), cwd=folder,
                           env=env(APP_URL=app.url), capture_output=True, check=True)
            stats_requests = dev.requests() - before  # control endpoints are not counted
            watch = Watching(folder, app.url)
            wait_for(lambda: watch.polls() >= 1, "the first poll", 1800)
            polls, before = watch.polls(), dev.requests()
            began = time.monotonic()
            wait_for(lambda: watch.polls() >= polls + 3, "three polls", 1800)
            took = time.monotonic() - began
            spent = dev.requests() - before
            done = watch.polls() - polls
            alarms = len(hook.requests)
            titles = sorted({json.loads(h.body).get("title", "")[:40] for h in hook.requests})
            print(f"notifications: {alarms}: {titles[:5]}", file=sys.stderr)
        finally:
            if watch is not None:
                watch.stop()
            dev.stop()
    return {"stats": stats_requests, "per_poll": spent / done, "poll_s": took / done,
            "alarms": alarms}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--healthy", type=int, default=50)
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--hours", type=int, default=3, help="of logs for the request count")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    a = alarms_and_latency(args.healthy, args.samples)
    print(f"alarms and latency: {a}", file=sys.stderr)
    r = requests_per_poll(args.jobs, args.hours)
    per_min = r["per_poll"]  # watch: {every: 1m}
    rows = [
        ("healthy slots judged (every 5 min, an hour)", f"{a['judged']:,}"),
        ("false alarms (notifications while every job is healthy)", f"{a['false_alarms']}"),
        ("schedules deleted behind cronctl's back: notified", f"{a['notifications']} of "
                                                                f"{a['samples']} (once each)"),
        ("slot due -> notification", f"tolerance 60 s + median "
                                     f"{statistics.median(a['latencies']):.1f} s (max "
                                     f"{max(a['latencies']):.1f} s; a poll every {EVERY_S} s)"),
        (f"watching {args.jobs:,} hourly jobs ({args.hours} h of logs, "
         f"{args.jobs * args.hours:,} runs): provider requests per poll", f"{r['per_poll']:.1f}"),
        (f"`cronctl stats --since {args.hours}h` on the same logs (reference)",
         f"{r['stats']}"),
        ("watch poll / stats: requests", f"{r['per_poll'] / max(1, r['stats']):.2f}x"),
        ("a poll's wall time", f"{r['poll_s']:.1f} s"),
        ("false alarms while watching them", f"{r['alarms']}"),
        ("requests per minute with `watch: {every: 1m}`",
         f"{per_min:.0f} ({per_min / (QSTASH_LIMIT_PER_S * 60):.2%} of "
         f"{QSTASH_LIMIT_PER_S} requests/s)"),
    ]
    text = [SECTION, "", f"{bench.machine()}; a real `cronctl dev` (frozen clock), `cronctl "
            f"run` watching every {EVERY_S} s, apprise to a loopback webhook.", "",
            "| what | value |", "|---|---:|", *(f"| {w} | {v} |" for w, v in rows), "",
            "`python bench/verify_watch.py` writes this section. The machine is shared with "
            "other work: compare rows of one run, not runs.", ""]
    print("\n".join(text))
    if args.write:
        target = bench.ROOT / "BENCHMARKS.md"
        old = target.read_text()
        head, _, rest = old.partition(SECTION)
        tail = rest[rest.index("\n## "):] if "\n## " in rest else ""
        target.write_text(head.rstrip("\n") + "\n\n" + "\n".join(text) + tail)
    return 0 if a["false_alarms"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
