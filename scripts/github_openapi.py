#!/usr/bin/env python3
"""Extract the parts of GitHub's published OpenAPI description that cronctl's github target
uses, as golden data for the tests (tests/fidelity/github/openapi.json).

The description is github/rest-api-description, as npm's @octokit/openapi ships it
(generated/api.github.com.json, ~13 MB): the tests commit only the operations below, every
schema, parameter and example they reference (transitively), so the loopback fake GitHub of
the tests checks cronctl's requests and its own answers against GitHub's own words.

    scripts/github_openapi.py                      # npm pack @octokit/openapi@VERSION, extract
    scripts/github_openapi.py path/to/api.github.com.json
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "23.0.2"  # @octokit/openapi
OUT = Path(__file__).resolve().parents[1] / "tests" / "fidelity" / "github" / "openapi.json"
OPERATIONS = (  # (method, path): what cronctl's GitHub client calls
    ("get", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}"),
    ("get", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs"),
    ("post", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches"),
    ("put", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/disable"),
    ("put", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/enable"),
    ("get", "/repos/{owner}/{repo}/actions/runs/{run_id}"),
    ("get", "/repos/{owner}/{repo}"),  # its default branch, where workflow_dispatch runs
)


def description(given: str | None) -> dict:
    if given:
        return json.loads(Path(given).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"@octokit/openapi@{VERSION}", "--silent"], cwd=tmp,
                       check=True, stdout=subprocess.DEVNULL)
        with tarfile.open(next(Path(tmp).glob("*.tgz"))) as tar:
            member = tar.extractfile("package/generated/api.github.com.json")
            assert member is not None
            return json.load(member)


def refs(node, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref)
        for value in node.values():
            refs(value, found)
    elif isinstance(node, list):
        for value in node:
            refs(value, found)


def lookup(doc: dict, ref: str):
    node = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def extract(doc: dict) -> dict:
    paths: dict[str, dict] = {}
    for method, path in OPERATIONS:
        paths.setdefault(path, {})[method] = doc["paths"][path][method]
    out = {"openapi": doc["openapi"], "info": {"title": doc["info"]["title"],
                                               "version": doc["info"]["version"],
                                               "source": f"npm @octokit/openapi@{VERSION}"},
           "paths": paths, "components": {}}
    seen: set[str] = set()
    todo: set[str] = set()
    refs(paths, todo)
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        node = lookup(doc, ref)
        _, section, name = ref.removeprefix("#/").split("/", 2)
        out["components"].setdefault(section, {})[name] = node
        found: set[str] = set()
        refs(node, found)
        todo |= found - seen
    for section in out["components"].values():
        for name in sorted(section):
            section[name] = section.pop(name)
    return out


def main() -> int:
    data = extract(description(sys.argv[1] if len(sys.argv) > 1 else None))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(data['components'].get('schemas', {}))}"
          " schemas)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
