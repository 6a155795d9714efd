"""`cronctl probe`: a health check before and after a deploy, one row per check.

It never calls a job's own endpoint: that would run the job.
"""

from __future__ import annotations

from dataclasses import asdict

from .. import engine, targets
from ..config import Config, inspect_config
from ..config.diagnostics import errors
from ..environment import current
from ..output import print_json, print_renderable
from ..targets.base import Check
from ..words import count

MIN_SECRET = 16


def check_cron_secret(value: str | None) -> Check:
    name = "CRON_SECRET"
    if not value:
        return Check(name, "fail", "not set",
                     "set CRON_SECRET in the environment (and in Vercel's project settings)")
    # As `vercel build` checks it (validateCronSecret, @vercel/build-utils): visible ASCII,
    # spaces and tabs inside, no whitespace at either end.
    if value != value.strip(" \t\r\n\f\v"):
        return Check(name, "fail", "contains leading or trailing whitespace, which is not "
                     "allowed in HTTP header values",
                     "set it again without the newline (printf '%s' ... | vercel env add); "
                     "Vercel's build refuses it")
    bad = [(i, c) for i, c in enumerate(value) if not (0x20 <= ord(c) < 0x7F or c == "\t")]
    if bad:
        where = ", ".join(f"{'non-ASCII' if ord(c) > 0x7F else 'control'} character "
                          f"(0x{ord(c):02x}) at position {i}" for i, c in bad[:3])
        return Check(name, "fail", f"contains characters that are not valid in HTTP headers: "
                     f"{where}",
                     "use printable ASCII only, e.g. `openssl rand -hex 32`; Vercel's build "
                     "refuses such a value")
    if len(value) < MIN_SECRET:
        return Check(name, "fail", f"only {len(value)} characters",
                     f"use at least {MIN_SECRET}, e.g. `openssl rand -hex 32`")
    return Check(name, "ok", f"set, {len(value)} characters")


def _file_checks(state) -> tuple[Config | None, list[Check]]:
    path = state.config_path()
    config, diags = inspect_config(path)
    bad = errors(diags)
    if config is None:
        first = bad[0].render().splitlines()[0] if bad else "invalid"
        return None, [Check("schedules.yaml", "fail", f"{count(len(bad), 'error')}: {first}",
                            "run 'cronctl validate'")]
    return config, [Check("schedules.yaml", "ok", f"valid, {count(len(config.jobs), 'job')}")]


def run(state, *, json_out: bool, fail_on: int | None = None) -> int:
    checks = collect(state, fail_on=fail_on)
    failed = sum(1 for c in checks if c.status == "fail")
    warned = sum(1 for c in checks if c.status == "warn")
    if json_out:
        print_json(to_json(checks))
    else:
        print_renderable(_table(checks))
        from ..output import echo

        echo(f"{count(len(checks), 'check')}: {failed} failed, {count(warned, 'warning')}.")
    return 1 if failed else 0


def to_json(checks: list[Check]) -> dict:
    """What `cronctl probe --json` prints."""
    failed = sum(1 for c in checks if c.status == "fail")
    warned = sum(1 for c in checks if c.status == "warn")
    return {"ok": failed == 0, "failed": failed, "warnings": warned,
            "checks": [asdict(c) for c in checks]}


def collect(state, *, fail_on: int | None = None) -> list[Check]:
    """Every check `cronctl probe` makes: the file, each target, deliveries, the app."""
    state.use_dev_env()  # what a discovered `cronctl dev` resolves, as `list` and `diff` do
    config, checks = _file_checks(state)
    # Vercel and QStash call the app with CRON_SECRET from this environment; a Kubernetes
    # project's jobs read theirs from a Secret in the cluster.
    if config is None or any(config.jobs_for(p.name) for p in targets.plugins()
                             if p.sends_cron_secret):
        checks.append(check_cron_secret(current().get("CRON_SECRET")))
    if config is not None:
        from ..appcheck import diagnostics

        for target in engine.targets(config, state):
            if not target.skip_reason():  # e.g. QStash in a Vercel-only project, no token
                checks.extend(target.probe())
                # A target that cannot be reached has no delivery health to tell.
                if not any(c.status == "fail" and c.name == target.title for c in checks):
                    checks.extend(target.delivery_health(fail_on=fail_on))
        checks.extend(diagnostics(config))
    return checks


def _table(checks: list[Check]):
    from rich.markup import escape

    from ..tables import Col, table

    style = {"ok": "green", "warn": "yellow", "fail": "red"}
    cols = [Col("check", key=True), Col("", key=True),
            Col("detail", keep=9, wrap=True, min_width=16),
            Col("what to do", keep=5, wrap=True, min_width=16)]
    rows = [[escape(c.name), f"[{style[c.status]}]{c.status}[/]", escape(c.detail),
             escape(c.hint or "")] for c in checks]
    return table("cronctl probe", cols, rows)
