"""The github dialect against actionlint (rhysd/actionlint's rule_events.go, the actionlint-
kjanat binary), on every expression of the shared cron corpus (tests/fidelity/corpus): one
workflow holds them all as `on.schedule` entries, actionlint judges it once, and each of its
errors is matched to its entry by line.

The two agree on what parses. cronctl refuses more, on purpose, and the test names each kind:
- a gap under 5 minutes anywhere in a year (actionlint looks at the first gap after the epoch);
- a `TZ=`/`CRON_TZ=` prefix (robfig reads it; GitHub's zone is the `timezone:` key);
- an expression that never fires (e.g. February 30th)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from cronctl.targets.github.dialect import GitHubDialect, shortest_gap

from .conftest import actionlint

CORPUS = Path(__file__).resolve().parents[2] / "fidelity" / "corpus" / "cron.json"


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar of any text (escapes for everything but printable ASCII)."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def test_the_dialect_agrees_with_actionlint_on_the_corpus(tmp_path):
    exprs = list(dict.fromkeys(c["expr"] for c in json.loads(CORPUS.read_text("utf-8"))["cases"]))
    lines = ["on:", "  schedule:"]
    at: dict[int, str] = {}
    for expr in exprs:
        lines.append(f"    - cron: {yaml_string(expr)}")
        at[len(lines)] = expr
    lines += ["jobs:", "  run:", "    runs-on: ubuntu-latest", "    steps:",
              "      - run: \"true\""]
    workflow = tmp_path / "corpus.yml"
    workflow.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = actionlint(workflow, fmt="{{json .}}")
    refused: dict[str, str] = {}
    for error in json.loads(result.stdout or "[]"):
        assert error["kind"] in ("events", "syntax-check"), error  # "" is a syntax error
        message = error["message"]
        refused[at[error["line"]]] = ("invalid CRON format: " + message
                                      if error["kind"] == "syntax-check" else message)
    assert len(refused) > 50  # the control: actionlint did judge them

    dialect = GitHubDialect()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    disagree = []
    for expr in exprs:
        problem = dialect.refusal(expr)
        ours = problem is not None
        theirs = expr in refused
        parse_error = theirs and refused[expr].startswith("invalid CRON format")
        if parse_error and not ours:
            disagree.append(f"actionlint refuses, cronctl accepts: {expr!r}: {refused[expr]}")
        elif ours and not theirs and not re.search(r"TZ=", expr):
            disagree.append(f"cronctl refuses, actionlint accepts: {expr!r}: {problem.message}")
        elif not ours and theirs:  # actionlint: too frequent, or never fires
            every = [p for p in dialect.validate(expr) if p.severity == "error"]
            if not every and shortest_gap(expr, None, start) is None:
                disagree.append(f"actionlint refuses, cronctl accepts: {expr!r}: "
                                f"{refused[expr]}")
    assert disagree == [], "\n".join(disagree[:40])


def test_cronctl_is_stricter_where_actionlint_looks_at_one_gap():
    assert GitHubDialect().refusal("0,3 * * * *") is None  # it parses ...
    assert shortest_gap("0,3 * * * *", None, datetime(2026, 1, 1, tzinfo=UTC)) is not None
