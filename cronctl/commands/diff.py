"""`cronctl diff`: every target's plan (file diffs included), changing nothing."""

from __future__ import annotations

from .. import engine, present


def run(state, *, exit_code: bool, json_out: bool, markdown: bool,
        jobs: tuple[str, ...] = (), out: str | None = None) -> int:
    return present.sync(state, engine.Options("diff", exit_code=exit_code, json_out=json_out,
                                             markdown=markdown, jobs=jobs, out=out))
