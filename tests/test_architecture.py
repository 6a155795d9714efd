"""The shape the code keeps: data flows one way, protocol knowledge stays in its target, and no
module grows past 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "cronctl"
MAX_LINES = 400


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_plan_render_and_engine_know_no_provider():
    for name in ("plan.py", "render.py", "engine.py"):
        imports = _imports(PACKAGE / name)
        assert not [i for i in imports if "qstash" in i or "vercel" in i or "kubernetes" in i
                    or i == "httpx"], (name, imports)


def test_commands_never_import_httpx_or_a_provider_module():
    for path in (PACKAGE / "commands").glob("*.py"):
        imports = _imports(path)
        text = path.read_text(encoding="utf-8")
        assert "httpx" not in imports, path.name
        providers = [i for i in imports if any(p in i for p in ("qstash", "vercel", "kubernetes"))]
        assert not providers, (path.name, providers)  # the interface (targets.base) is fine
        for qstash_word in ("scheduleId", "Upstash-", "fromDate", "isPaused"):
            assert qstash_word not in text, (path.name, qstash_word)


def test_the_config_layer_imports_nothing_above_it():
    # ..secrets (the Secret type) and ..urls (path and URL rules) are leaves: they import
    # nothing of cronctl but errors.
    allowed = {"..errors", "..durations", "..retrydelay", "..", "...errors", "..secrets",
               "..urls"}
    for path in (PACKAGE / "config").glob("*.py"):
        for imp in _imports(path):
            if imp.startswith(".."):
                # the runner target's file format (until issue 21's registry inverts this)
                if imp.startswith("..targets.runner"):
                    assert imp in ("..targets.runner", "..targets.runner.spec"), imp
                    continue
                assert imp in allowed or imp == "..cron" or imp.startswith("..cron."), \
                    (path.name, imp)


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
