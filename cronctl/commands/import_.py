"""`cronctl import`: schedules.yaml entries for the schedules that exist today."""

from __future__ import annotations

import re
from pathlib import Path

from .. import engine
from ..config.locate import project_name
from ..errors import UsageError
from ..fsutil import write_atomic
from ..importing import render
from ..output import echo
from ..targets.capabilities import Importable, capable
from ..words import count


def run(state, *, from_qstash: bool, from_vercel: str | None, output: str | None,
        project: str | None, force: bool) -> int:
    if not from_qstash and not from_vercel:
        from_qstash = True
    taken: set[str] = set()
    jobs: dict = {}
    base_url = None
    skipped: list[str] = []
    project = project or project_name(Path.cwd())
    # Vercel's file first (its names win), then what QStash has today.
    for name, source in (("vercel", from_vercel), ("qstash", None)):
        if name == "vercel" and not from_vercel or name == "qstash" and not from_qstash:
            continue
        target = capable(engine.target_class(name)(None, state), Importable)
        found = target.import_jobs(source, taken, project)
        jobs.update(found.jobs)
        base_url = base_url or found.base_url
        skipped += found.skipped
    text = render(project, base_url, jobs)
    for line in skipped:
        echo(f"skipped {line}", err=True)
    if output:
        target = Path(output)
        if target.exists() and not force:
            raise UsageError(f"{target} already exists", hint="pass --force, or -o another file")
        write_atomic(target, text.encode())
        echo(f"wrote {count(len(jobs), 'job')} to {target}", err=True)
        variables = sorted(set(re.findall(r"\$\{([A-Z0-9_]+)\}", text)))
        if variables:
            echo("forwarded header values became placeholders (never copied): export "
                 + ", ".join(variables) + " before the next step", err=True)
        echo(f"next: review it, then run 'cronctl -c {target} schedule --adopt' to make "
             "them managed", err=True)
    else:
        echo(text.rstrip("\n"))
    return 0
