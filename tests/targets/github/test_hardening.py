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
