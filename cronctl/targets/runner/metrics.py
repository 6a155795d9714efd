"""The runner's Prometheus metrics, kept in memory and written in the text exposition format
(version 0.0.4) by hand: a handful of counters and histograms need no client library."""

from __future__ import annotations

import threading
from collections import defaultdict

DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800)
LAG_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60)


class Histogram:
    def __init__(self, buckets: tuple[float, ...]) -> None:
        self.buckets = buckets
        self.counts = [0] * len(buckets)
        self.total = 0
        self.sum = 0.0

    def observe(self, value: float) -> None:
        for i, b in enumerate(self.buckets):
            if value <= b:
                self.counts[i] += 1
        self.total += 1
        self.sum += value

    def lines(self, name: str, labels: str) -> list[str]:
        sep = "," if labels else ""
        out = [f'{name}_bucket{{{labels}{sep}le="{_num(b)}"}} {c}'
               for b, c in zip(self.buckets, self.counts, strict=True)]
        out.append(f'{name}_bucket{{{labels}{sep}le="+Inf"}} {self.total}')
        braces = f"{{{labels}}}" if labels else ""
        out += [f"{name}_sum{braces} {self.sum!r}", f"{name}_count{braces} {self.total}"]
        return out


class Metrics:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.runs: dict[tuple[str, str], int] = defaultdict(int)
        self.durations: dict[str, Histogram] = {}
        self.lag = Histogram(LAG_BUCKETS)
        self.last_success: dict[str, float] = {}
        self.last_tick = 0.0
        self.running = 0
        self.jobs = 0
        self.sections: list = []  # more families, each a () -> list[str] (watch.py)

    def finished(self, job: str, outcome: str, seconds: float | None, at: float) -> None:
        with self.lock:
            self.runs[(job, outcome)] += 1
            if seconds is not None:
                self.durations.setdefault(job, Histogram(DURATION_BUCKETS)).observe(seconds)
            if outcome == "succeeded":
                self.last_success[job] = at

    def fired(self, lag_seconds: float) -> None:
        with self.lock:
            self.lag.observe(max(0.0, lag_seconds))

    def render(self) -> str:
        with self.lock:
            out = ["# HELP cronctl_runs_total Finished runs by job and outcome.",
                   "# TYPE cronctl_runs_total counter"]
            out += [f'cronctl_runs_total{{job="{_esc(j)}",outcome="{o}"}} {n}'
                    for (j, o), n in sorted(self.runs.items())]
            out += ["# HELP cronctl_run_duration_seconds How long runs took, by job.",
                    "# TYPE cronctl_run_duration_seconds histogram"]
            for job, h in sorted(self.durations.items()):
                out += h.lines("cronctl_run_duration_seconds", f'job="{_esc(job)}"')
            out += ["# HELP cronctl_firing_lag_seconds Start of a run minus its scheduled "
                    "time.", "# TYPE cronctl_firing_lag_seconds histogram"]
            out += self.lag.lines("cronctl_firing_lag_seconds", "")
            out += ["# HELP cronctl_last_success_timestamp_seconds When a job last succeeded.",
                    "# TYPE cronctl_last_success_timestamp_seconds gauge"]
            out += [f'cronctl_last_success_timestamp_seconds{{job="{_esc(j)}"}} {t!r}'
                    for j, t in sorted(self.last_success.items())]
            out += ["# HELP cronctl_scheduler_last_tick_timestamp_seconds When the scheduler "
                    "loop last ran.", "# TYPE cronctl_scheduler_last_tick_timestamp_seconds gauge",
                    f"cronctl_scheduler_last_tick_timestamp_seconds {self.last_tick!r}",
                    "# HELP cronctl_runs_in_flight Runs executing on this replica.",
                    "# TYPE cronctl_runs_in_flight gauge",
                    f"cronctl_runs_in_flight {self.running}",
                    "# HELP cronctl_jobs Jobs loaded.", "# TYPE cronctl_jobs gauge",
                    f"cronctl_jobs {self.jobs}"]
        for section in list(self.sections):
            out += section()
        return "\n".join(out) + "\n"


def _num(b: float) -> str:
    return repr(float(b))


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
