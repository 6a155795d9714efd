"""`.pre-commit-hooks.yaml`: the hooks exist, and their entries are real, working commands."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
HOOKS_FILE = REPO_ROOT / ".pre-commit-hooks.yaml"
REQUIRED = {"id", "name", "entry", "language"}


@pytest.fixture(scope="module")
def hooks() -> dict[str, dict]:
    data = yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, list)
    by_id = {hook["id"]: hook for hook in data}
    assert len(by_id) == len(data), "duplicate hook ids"
    return by_id


def test_hook_ids(hooks):
    assert set(hooks) == {"cronctl-validate", "cronctl-generate-check"}


@pytest.mark.parametrize("hook_id", ["cronctl-validate", "cronctl-generate-check"])
def test_hook_fields(hooks, hook_id):
    hook = hooks[hook_id]
    assert set(hook) >= REQUIRED
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert shlex.split(hook["entry"])[0] == "cronctl"
    re.compile(hook["files"])


def test_entry_executable_is_the_console_script():
    """language: python installs this repo; `cronctl` must be one of its console scripts."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["cronctl"] == "cronctl.__main__:main"


@pytest.mark.parametrize(
    ("hook_id", "matches"),
    [
        ("cronctl-validate", ["schedules.yaml", "schedules.yml", "apps/web/schedules.yaml"]),
        ("cronctl-generate-check", ["schedules.yaml", "vercel.json", "apps/web/vercel.json",
                                    "apps/web/schedules.yml"]),
    ],
)
def test_files_regex(hooks, hook_id, matches):
    pattern = re.compile(hooks[hook_id]["files"])  # pre-commit uses re.search
    for name in matches:
        assert pattern.search(name), name
    for name in ["other.yaml", "my-schedules.yaml", "schedules.yaml.bak", "vercel.json.orig",
                 "old_vercel.json", "schedules.json"]:
        assert not pattern.search(name), name
    if hook_id == "cronctl-validate":
        assert not pattern.search("vercel.json")


def _entry(hooks, hook_id: str) -> list[str]:
    argv = shlex.split(hooks[hook_id]["entry"])
    assert argv[0] == "cronctl"
    return argv[1:]


def test_entries_work_in_a_new_project(hooks, run_cronctl, tmp_path: Path):
    project = tmp_path / "web"
    project.mkdir()
    assert run_cronctl("init", cwd=project).code == 0

    validate = _entry(hooks, "cronctl-validate")
    generate_check = _entry(hooks, "cronctl-generate-check")

    code, out, err = run_cronctl(*validate, cwd=project)
    assert code == 0, out + err

    code, out, err = run_cronctl(*generate_check, cwd=project)
    assert code == 3, out + err  # vercel.json does not exist yet
    assert not (project / "vercel.json").exists()  # --check writes nothing

    assert run_cronctl("generate", cwd=project).code == 0
    code, out, err = run_cronctl(*generate_check, cwd=project)
    assert code == 0, out + err


def test_entries_fail_on_a_broken_file(hooks, run_cronctl, tmp_path: Path):
    (tmp_path / "schedules.yaml").write_text(
        "version: 1\nproject: acme\njobs:\n  keep-alive:\n    tier: infrastructure\n"
        "    path: /api/cron/keep-alive\n    schedule: \"0 6 * * 7\"\n", encoding="utf-8")
    for hook_id in ("cronctl-validate", "cronctl-generate-check"):
        code, out, err = run_cronctl(*_entry(hooks, hook_id), cwd=tmp_path)
        assert code == 2, (hook_id, out, err)
        assert "schedules.yaml:7:" in err
