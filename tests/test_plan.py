"""The generic plan: separate update and delete thresholds, and no provider knowledge."""

from __future__ import annotations

import ast
from pathlib import Path

from cronctl.plan import Change, Plan, Thresholds, check_safety

PACKAGE = Path(__file__).resolve().parents[1] / "cronctl"


def plan_of(updates: int, deletes: int, managed: int) -> Plan:
    changes = [Change("update", f"u{i}", f"u{i}") for i in range(updates)]
    changes += [Change("delete", f"d{i}", f"d{i}") for i in range(deletes)]
    return Plan("acme", target="qstash", title="QStash", changes=changes, managed_live=managed)


def test_update_and_delete_thresholds_are_separate():
    limits = Thresholds(update=0.5, delete=0.1, min_existing=10)
    assert check_safety(plan_of(5, 1, 10), limits).ok  # 50% updates, 10% deletes
    refused = check_safety(plan_of(0, 2, 10), limits)
    assert not refused.ok and "deletes 2 of 10" in refused.message
    assert "10% delete limit" in refused.message
    refused = check_safety(plan_of(6, 0, 10), limits)
    assert not refused.ok and "updates 6 of 10" in refused.message
    # The default is octoDNS's: 30% each, from 10 managed items up.
    assert check_safety(plan_of(3, 3, 10)).ok
    assert not check_safety(plan_of(0, 4, 10)).ok
    assert check_safety(plan_of(0, 9, 9)).ok


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
    allowed = {"..errors", "..durations", "..retrydelay", "..", "...errors"}
    for path in (PACKAGE / "config").glob("*.py"):
        for imp in _imports(path):
            if imp.startswith(".."):
                assert imp in allowed or imp == "..cron" or imp.startswith("..cron."), \
                    (path.name, imp)
