"""`cronctl import`: schedules.yaml entries for the schedules that exist today."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import ConfigError, UsageError
from ..fsutil import write_atomic
from ..output import echo
from ..targets.qstash import importer
from ..words import count
from .init import project_name


def run(state, *, from_qstash: bool, from_vercel: str | None, output: str | None,
        project: str | None, force: bool) -> int:
    if not from_qstash and not from_vercel:
        from_qstash = True
    taken: set[str] = set()
    jobs: dict = {}
    base_url = None
    skipped: list[str] = []
    if from_vercel:
        jobs.update(importer.from_vercel(_crons(Path(from_vercel)), taken))
    project = project or project_name(Path.cwd())
    if from_qstash:
        from .. import engine

        live = engine.target_class("qstash")(None, state).populate()
        base_url = importer.base_url_of(live)
        if base_url:
            business, skipped = importer.from_qstash(live, base_url, taken, project)
            jobs.update(business)
    text = importer.render(project, base_url, jobs)
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


def _crons(path: Path) -> list:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except ValueError as exc:
        raise ConfigError(f"{path}: invalid JSON: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to read") from None
    crons = doc.get("crons", []) if isinstance(doc, dict) else []
    if not isinstance(crons, list) or not all(
            isinstance(c, dict) and isinstance(c.get("path", ""), str)
            and isinstance(c.get("schedule", ""), str) for c in crons):
        raise ConfigError(f"{path}: 'crons' must be a list of {{path, schedule}} objects",
                          hint="fix the file by hand, then run again")
    return crons
