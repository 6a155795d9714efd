"""`cronctl validate`: every problem at once, with file, line, job, field and a hint."""

from __future__ import annotations

from ..ci import annotate
from ..config import inspect_config
from ..config.diagnostics import errors
from ..errors import ExitStatus
from ..output import echo, print_json


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
            echo(f"{path}: {len(bad)} error(s), {len(warnings)} warning(s)", err=True)
        else:
            assert config is not None
            business = len(config.business_jobs)
            infra = len(config.infrastructure_jobs)
            kube = len(config.jobs_for("kubernetes"))
            more = f", {kube} kubernetes" if kube else ""
            note = f", {len(warnings)} warning(s)" if warnings else ""
            echo(f"{path}: valid ({infra} infrastructure, {business} business{more} jobs{note})")
    return ExitStatus.USAGE if bad else ExitStatus.OK
