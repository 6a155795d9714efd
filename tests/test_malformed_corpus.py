"""Every file in corpus/malformed is one realistic mistake; each must be refused cleanly.

The first line of each file says where the mistake is: `# expect-line: N`.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus" / "malformed"
FILES = sorted(CORPUS.glob("*.yaml"))
EXPECT = re.compile(r"^# expect-line: (\d+)$")


def expected_line(path: Path) -> int:
    first = path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
    m = EXPECT.match(first)
    assert m, f"{path.name}: first line must be '# expect-line: N'"
    return int(m.group(1))


def test_corpus_is_big_enough():
    assert len(FILES) >= 35
    assert len({f.name for f in FILES}) == len(FILES)


@pytest.mark.parametrize("case", FILES, ids=[f.stem for f in FILES])
def test_malformed_file_is_refused_with_its_line(case: Path, project_dir: Path, cli, snapshot):
    line = expected_line(case)
    shutil.copyfile(case, project_dir / "schedules.yaml")
    before = snapshot(project_dir)
    where = re.compile(rf"schedules\.yaml:{line}(:\d+)?: error: ")

    for args in (["validate"], ["generate"], ["generate", "--check"]):
        code, out, err = cli(*args)
        assert code == 2, (args, out, err)
        assert where.search(err), f"{args}: no error at line {line}:\n{err}"
        assert "Traceback" not in err + out
        assert "internal error" not in err
        assert snapshot(project_dir) == before, f"{args} wrote a file"

    code, out, err = cli("validate", "--json")
    assert code == 2
    assert "Traceback" not in err
    assert any(p["line"] == line and p["severity"] == "error" for p in _problems(out))


def _problems(out: str) -> list[dict]:
    data = json.loads(out)
    assert data["valid"] is False
    return data["problems"]
