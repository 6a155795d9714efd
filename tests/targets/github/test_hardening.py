"""A hostile review of the github target: a symlinked workflow folder is never followed, a
value that GitHub would evaluate (`${{ }}`) never reaches the workflow, and user-caused failures
end in one clear message."""

from __future__ import annotations

import os

import pytest

HEAD = """\
version: 1
project: acme
base_url: https://acme.example.com
jobs:
  nightly:
    target: github
    path: /api/cron/nightly
    schedule: "17 2 * * *"
"""


@pytest.mark.parametrize("link", [".github", ".github/workflows"])
def test_a_symlinked_workflow_folder_is_never_followed(cli, write_config, project_dir,
                                                       tmp_path_factory, link):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "workflows").mkdir()
    (project_dir / ".github").mkdir(exist_ok=link != ".github")
    if link == ".github":
        (project_dir / ".github").rmdir()
        os.symlink(outside, project_dir / ".github")
    else:
        os.symlink(outside / "workflows", project_dir / ".github" / "workflows")
    write_config(HEAD)
    for args in (("generate",), ("schedule", "--yes"), ("diff",)):
        r = cli(*args)
        assert r.code == 2, (args, r.out, r.err)
        assert "symlink" in r.err and ".github" in r.err and "Traceback" not in r.err
    assert list((outside / "workflows").iterdir()) == []


@pytest.mark.parametrize("secret", ['pa"ss-9f3k2-x', 'back\\slash-9f3k2', 'two  spaces-9f3k2',
                                    "tab\there-9f3k2", "line\u2028sep-9f3k2"])
@pytest.mark.parametrize("where", ["command", "description", "path"])
def test_a_secret_is_never_written_into_a_workflow_whatever_it_holds(
        cli, write_config, workflows, secret, where):
    """The check for a secret's value looked for it in the file's text, where JSON's escapes
    (and the comment's folded whitespace) hide it; YAML reads the escapes back."""
    job = {"command": "  report:\n    target: github\n    command: ./report --key ${API_KEY}\n",
           "description": "  report:\n    target: github\n    command: ./report\n"
                          "    description: 'key ${API_KEY}'\n",
           "path": "  report:\n    target: github\n    path: /api/${API_KEY}\n"}[where]
    write_config(HEAD + job + "    schedule: '0 5 * * *'\n")
    r = cli("generate", env={"API_KEY": secret})
    assert r.code == 2, (r.out, r.err)
    assert "would write a secret value into its workflow" in r.err or (
        where == "path" and "e.g. /api/cron/cleanup" in r.err)  # the path check refused it
    written = [p.read_text() for p in workflows.iterdir()] if workflows.exists() else []
    import yaml

    for text in written:
        assert secret not in str(yaml.safe_load(text)) + text
        assert " ".join(secret.split()) not in text


@pytest.mark.parametrize("tail", [
    "  notify:\n    target: github\n    command: ./notify --branch ${BRANCH}\n"
    "    schedule: '0 5 * * *'\n",
    "  notify:\n    target: github\n    command: ./notify\n    schedule: '0 5 * * *'\n"
    "github:\n  runs_on: ${BRANCH}\n",
], ids=["command", "runs_on"])
def test_a_variable_cannot_inject_a_github_expression(cli, write_config, workflows, tail):
    """`${{ }}` written in schedules.yaml is the author's; the same from a ${VAR}'s value
    (a branch name, a PR title in CI) would be evaluated by GitHub in `run:` (expression
    injection: secrets.*, github.token). Such a value is refused, with the variable's name."""
    write_config(HEAD + tail)
    r = cli("generate", env={"BRANCH": "x${{ secrets.GITHUB_TOKEN }}"})
    assert r.code == 2, (r.out, r.err)
    assert "${BRANCH}" in r.err and "expression" in r.err and "Traceback" not in r.err
    assert not workflows.exists() or not any(workflows.iterdir())
    assert cli("generate", env={"BRANCH": "main"}).code == 0


def test_a_hand_made_copy_of_a_generated_workflow_is_never_deleted(cli, write_config,
                                                                   workflows):
    """A copy keeps the mark (its first line): two files then claimed one job, the last one
    read won, and the plan 'moved' the job out of the copy, deleting it."""
    write_config(HEAD)
    assert cli("generate").code == 0
    copy = workflows / "my-copy.yml"
    copy.write_text((workflows / "cron-nightly.yml").read_text() + "# my edit\n")
    before = copy.read_text()
    r = cli("diff", "--json")
    assert r.code == 0, r.err
    import json

    assert json.loads(r.out)["github"]["changes"] == []
    write_config(HEAD.replace("17 2", "18 2"))
    r = cli("schedule", "--yes")
    assert r.code == 0, r.out + r.err
    assert copy.read_text() == before
    assert '"18 2 * * *"' in (workflows / "cron-nightly.yml").read_text()
    (workflows / "cron-nightly.yml").unlink()  # two copies, neither at the job's file name
    (workflows / "other-copy.yml").write_text(before)
    r = cli("schedule", "--yes")
    assert r.code == 2, r.out + r.err
    assert "my-copy.yml" in r.err and "other-copy.yml" in r.err and "nightly" in r.err
    assert copy.read_text() == before == (workflows / "other-copy.yml").read_text()


def test_job_names_that_differ_only_in_case_are_refused(cli, write_config, workflows):
    """cron-Nightly.yml and cron-nightly.yml are one file on macOS and Windows checkouts, and
    GitHub's concurrency groups ignore case, so one job would hold the other back."""
    write_config(HEAD + "  Nightly:\n    target: github\n    path: /api/other\n"
                 "    schedule: '0 4 * * *'\n")
    for args in (("validate",), ("generate",)):
        r = cli(*args)
        assert r.code == 2, (args, r.out, r.err)
        assert "Nightly" in r.out + r.err and "case" in r.out + r.err
    assert not workflows.exists()
