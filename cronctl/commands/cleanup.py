"""`cronctl cleanup`: delete orphaned managed jobs on every target (all of them with --all)."""

from __future__ import annotations

from .. import engine, present


def run(state, *, everything: bool, yes: bool, dry_run: bool, json_out: bool,
        force: bool = False) -> int:
    return present.sync(state, engine.Options(
        "cleanup", everything=everything, yes=yes, dry_run=dry_run, json_out=json_out,
        force=force))
