"""`cronctl schedule`: make every target match the file (the engine's full sync)."""

from __future__ import annotations

from .. import engine, present


def run(state, *, dry_run: bool, yes: bool, prune: bool, force: bool, concurrency: int | None,
        json_out: bool, adopt: bool = False, jobs: tuple[str, ...] = (),
        plan_file: str | None = None) -> int:
    return present.sync(state, engine.Options(
        "schedule", dry_run=dry_run, yes=yes, prune=prune, force=force,
        concurrency=concurrency, adopt=adopt, json_out=json_out, jobs=jobs,
        plan_file=plan_file))
