"""`cronctl validate`: every problem at once, with file, line, job, field and a hint."""

from __future__ import annotations

from ..ci import annotate
from ..config import inspect_config
from ..config.diagnostics import errors
from ..errors import ExitStatus
from ..output import echo, print_json
from ..words import count


def run(state, *, json_out: bool) -> int:
    path = state.config_path()
    config, diags = inspect_config(path)
    bad = errors(diags)
    annotate(diags)
    warnings = [d for d in diags if d.severity == "warning"]
    if json_out:
        print_json(
            {
                "file": str(path),
                "valid": not bad,
                "errors": len(bad),
                "warnings": len(warnings),
                "problems": [d.to_json() for d in diags],
            }
        )
    else:
        for d in diags:
            echo(d.render(), err=d.severity == "error")
        if bad:
            echo(f"{path}: {count(len(bad), 'error')}, {count(len(warnings), 'warning')}",
                 err=True)
        else:
            assert config is not None
            from .. import targets

            # The tiers' targets always (the seed's words), the others when they have jobs.
            kinds = [count(n, p.noun) for p in targets.plugins()
                     if (n := len(config.jobs_for(p.name))) or p.tier]
            if warnings:
                kinds.append(count(len(warnings), "warning"))
            echo(f"{path}: valid ({', '.join(kinds)})")
    return ExitStatus.USAGE if bad else ExitStatus.OK
