"""`cronctl import`'s shared parts: job names from paths, unique names, and the YAML written.
Each target's `import_jobs` (targets/capabilities.py) reads its own source. Pure."""

from __future__ import annotations

import re
from typing import Any


def name_from_path(path: str) -> str:
    last = [p for p in path.split("?")[0].split("/") if p]
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", last[-1] if last else "job").strip("-.")
    return name or "job"


def unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate)
    return candidate


def render(project: str, base_url: str | None, jobs: dict[str, Any]) -> str:
    import yaml

    doc: dict[str, Any] = {"version": 1, "project": project}
    if base_url:
        doc["base_url"] = base_url
    doc["jobs"] = jobs
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=100)
