"""A Kubernetes project in a temporary folder, run through the real CLI entry point."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

HEAD = """\
version: 1
project: acme
base_url: https://app.example.com
kubernetes:
  file: k8s/cronjobs.yaml
  namespace: jobs
  labels:
    team: platform
  service_account: runner
  image: registry.example.com/workers:1.0
{extra_head}jobs:
"""


def kjob(name: str, schedule: str = "*/30 * * * *", extra: str = "") -> str:
    text = f'  {name}:\n    target: kubernetes\n    schedule: "{schedule}"\n'
    return text + "".join(f"    {line}\n" for line in extra.strip("\n").splitlines() if line)


class KubeProject:
    def __init__(self, folder: Path, cli) -> None:
        self.folder = folder
        self.cli = cli
        self.manifest = folder / "k8s" / "cronjobs.yaml"

    def write(self, jobs: str, extra_head: str = "") -> Path:
        path = self.folder / "schedules.yaml"
        path.write_text(HEAD.format(extra_head=extra_head) + jobs, encoding="utf-8")
        return path

    def run(self, *args: str, **kw):
        return self.cli(*args, **kw)

    def documents(self) -> list[dict]:
        return [d for d in yaml.safe_load_all(self.manifest.read_text(encoding="utf-8")) if d]

    def cronjob(self, name: str) -> dict:
        return next(d for d in self.documents() if d["metadata"]["name"] == name)


@pytest.fixture
def kube(project_dir: Path, cli) -> KubeProject:
    return KubeProject(project_dir, cli)


@pytest.fixture
def kjob_yaml():
    return kjob
