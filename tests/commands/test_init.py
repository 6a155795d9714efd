"""`cronctl init`: a starter that validates, and [tool.cronctl] appended to pyproject.toml."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

PYPROJECT = (
    "# my project\n"
    "[project]\n"
    'name = "acme"\n'
    'dependencies = [\n    "httpx",  # pinned elsewhere\n]\n'
    "\n"
    "[tool.ruff]\n"
    "line-length = 100\n"
)


def test_starter_validates_with_warnings_only(cli, project_dir):
    code, out, err = cli("init", "--project", "acme")
    assert code == 0, err
    target = project_dir / "schedules.yaml"
    assert f"wrote {target}" in out
    assert sorted(p.name for p in project_dir.iterdir()) == ["schedules.schema.json",
                                                             "schedules.yaml"]

    code, out, err = cli("validate", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["valid"] is True and data["errors"] == 0
    unset = sorted(p["message"] for p in data["problems"])
    assert unset == ["${APP_URL} is not set", "${CRON_SECRET} is not set"]

    code, out, err = cli("list", "--local", "--json")
    assert code == 0, err
    listing = json.loads(out)
    assert listing["project"] == "acme"
    assert [(j["name"], j["tier"]) for j in listing["jobs"]] == [
        ("keep-alive", "infrastructure"), ("daily-cleanup", "business")]

    # the infrastructure side needs neither variable
    code, _, err = cli("generate")
    assert code == 0, err
    assert json.loads((project_dir / "vercel.json").read_text()) == {
        "crons": [{"path": "/api/cron/keep-alive", "schedule": "0 6 * * *"}]}


def test_starter_is_valid_when_variables_are_set(cli, project_dir):
    assert cli("init", "--project", "acme").code == 0
    code, out, _ = cli("validate", "--json",
                       env={"APP_URL": "https://app.example.com", "CRON_SECRET": "s" * 16})
    assert code == 0
    assert json.loads(out)["problems"] == []


def test_project_name_defaults_to_the_folder(cli, project_dir, monkeypatch):
    folder = project_dir / "My_Cool App"
    folder.mkdir()
    monkeypatch.chdir(folder)
    assert cli("init").code == 0
    assert "project: my-cool-app\n" in (folder / "schedules.yaml").read_text()


def test_invalid_project_name_is_refused(cli, project_dir):
    code, _, err = cli("init", "--project", "Acme Health")
    assert code == 2
    assert "must be lowercase letters" in err
    assert not (project_dir / "schedules.yaml").exists()


def test_refuses_to_overwrite_without_force(cli, project_dir):
    target = project_dir / "schedules.yaml"
    target.write_text("# mine\n")
    code, _, err = cli("init", "--project", "acme")
    assert code == 2
    assert f"{target} already exists" in err and "--force" in err
    assert target.read_text() == "# mine\n"

    code, _, err = cli("init", "--project", "acme", "--force")
    assert code == 0, err
    assert target.read_text().startswith("# yaml-language-server")


def test_config_flag_chooses_the_target(cli, project_dir):
    (project_dir / "ops").mkdir()
    code, _, err = cli("--config", "ops/cron.yaml", "init", "--project", "acme")
    assert code == 0, err
    assert (project_dir / "ops" / "cron.yaml").is_file()
    assert not (project_dir / "schedules.yaml").exists()
    assert cli("--config", "ops/cron.yaml", "validate").code == 0


@pytest.mark.parametrize("trailing_newline", [True, False])
def test_appends_tool_cronctl_to_pyproject(cli, project_dir, trailing_newline):
    original = PYPROJECT if trailing_newline else PYPROJECT.rstrip("\n")
    pyproject = project_dir / "pyproject.toml"
    pyproject.write_bytes(original.encode())
    code, out, err = cli("init", "--project", "acme")
    assert code == 0, err
    assert f"added [tool.cronctl] to {pyproject}" in out
    new = pyproject.read_bytes()
    assert new.startswith(original.encode())
    table = tomllib.loads(new.decode())
    assert table["tool"]["cronctl"] == {"config": "schedules.yaml"}
    assert table["tool"]["ruff"] == {"line-length": 100}
    assert table["project"]["dependencies"] == ["httpx"]


def test_pyproject_points_discovery_at_a_custom_path(cli, project_dir):
    (project_dir / "pyproject.toml").write_text(PYPROJECT)
    (project_dir / "ops").mkdir()
    assert cli("--config", "ops/cron.yaml", "init", "--project", "acme").code == 0
    table = tomllib.loads((project_dir / "pyproject.toml").read_text())
    assert table["tool"]["cronctl"]["config"] == "ops/cron.yaml"
    # found without --config now
    code, out, _ = cli("validate")
    assert code == 0
    assert str(project_dir / "ops" / "cron.yaml") in out


def test_existing_tool_cronctl_is_left_alone(cli, project_dir):
    original = PYPROJECT + '\n[tool.cronctl]\nconfig = "other.yaml"\n'
    pyproject = project_dir / "pyproject.toml"
    pyproject.write_text(original)
    code, out, _ = cli("init", "--project", "acme")
    assert code == 0
    assert "already has [tool.cronctl]; left unchanged" in out
    assert pyproject.read_text() == original


def test_broken_pyproject_is_reported_and_left_alone(cli, project_dir):
    pyproject = project_dir / "pyproject.toml"
    pyproject.write_text("[project\n")
    code, _, err = cli("init", "--project", "acme")
    assert code == 2
    assert "pyproject.toml" in err and "schedules.yaml was written" in err
    assert pyproject.read_text() == "[project\n"
    assert (project_dir / "schedules.yaml").is_file()


def test_no_pyproject_is_not_created(cli, project_dir: Path):
    assert cli("init", "--project", "acme").code == 0
    assert not (project_dir / "pyproject.toml").exists()
