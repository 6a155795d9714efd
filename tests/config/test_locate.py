"""Config discovery: --config, then CRONCTL_CONFIG, then [tool.cronctl] config, then ./."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def config_text(project: str) -> str:
    return f"version: 1\nproject: {project}\njobs: {{}}\n"


@pytest.fixture
def four_configs(project_dir: Path) -> Path:
    (project_dir / "schedules.yaml").write_text(config_text("from-cwd"))
    (project_dir / "conf").mkdir()
    (project_dir / "conf" / "cronctl.yaml").write_text(config_text("from-pyproject"))
    (project_dir / "env.yaml").write_text(config_text("from-env"))
    (project_dir / "flag.yaml").write_text(config_text("from-flag"))
    (project_dir / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.cronctl]\nconfig = "conf/cronctl.yaml"\n'
    )
    return project_dir


def project_used(cli, *args: str, env=None) -> str:
    code, out, err = cli(*args, "list", "--local", "--json", env=env)
    assert code == 0, err
    return json.loads(out)["project"]


def test_flag_wins_over_everything(cli, four_configs):
    assert project_used(cli, "--config", "flag.yaml", env={"CRONCTL_CONFIG": "env.yaml"}) \
        == "from-flag"
    assert project_used(cli, "-c", "flag.yaml") == "from-flag"


def test_environment_wins_over_pyproject(cli, four_configs):
    assert project_used(cli, env={"CRONCTL_CONFIG": "env.yaml"}) == "from-env"


def test_pyproject_wins_over_cwd(cli, four_configs):
    assert project_used(cli) == "from-pyproject"


def test_cwd_schedules_yaml_last(cli, four_configs):
    (four_configs / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert project_used(cli) == "from-cwd"


def test_pyproject_without_config_key_falls_through(cli, four_configs):
    (four_configs / "pyproject.toml").write_text("[tool.cronctl]\n")
    assert project_used(cli) == "from-cwd"


def test_no_config_anywhere_is_exit_2_with_init_hint(cli, project_dir):
    code, out, err = cli("validate")
    assert code == 2
    assert f"{project_dir / 'schedules.yaml'}: no such file" in err
    assert "cronctl init" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", [["validate"], ["generate"], ["list", "--local"],
                                     ["next", "job"]])
def test_missing_flag_file_is_exit_2(cli, project_dir, command):
    code, _, err = cli("--config", "missing.yaml", *command)
    assert code == 2
    assert "missing.yaml: no such file" in err
    assert "cronctl init" in err


def test_missing_env_file_is_exit_2(cli, project_dir):
    code, _, err = cli("validate", env={"CRONCTL_CONFIG": "elsewhere.yaml"})
    assert code == 2
    assert "elsewhere.yaml: no such file" in err


def test_pyproject_pointing_nowhere_names_the_pyproject(cli, four_configs):
    (four_configs / "conf" / "cronctl.yaml").unlink()
    code, _, err = cli("validate")
    assert code == 2
    assert "conf/cronctl.yaml: no such file" in err
    assert "[tool.cronctl] config in" in err
    assert "cronctl init" in err


def test_broken_pyproject_is_exit_2(cli, project_dir):
    (project_dir / "pyproject.toml").write_text("[tool.cronctl\nconfig = 1\n")
    code, _, err = cli("validate")
    assert code == 2
    assert "pyproject.toml" in err and "--config" in err
    assert "Traceback" not in err


def test_vercel_file_is_relative_to_the_config(cli, four_configs):
    conf = four_configs / "conf" / "cronctl.yaml"
    conf.write_text(
        "version: 1\nproject: acme\njobs:\n  a:\n    tier: infrastructure\n"
        '    path: /a\n    schedule: "0 6 * * *"\n'
    )
    code, out, err = cli("generate")
    assert code == 0, err
    assert (four_configs / "conf" / "vercel.json").is_file()
    assert not (four_configs / "vercel.json").exists()
