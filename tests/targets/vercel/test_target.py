"""vercel.json: only the top-level `crons` value changes; every other byte stays.

Each case runs `cronctl generate` on a real file, then checks that the text before and after the
`crons` value is byte-identical to the original and that the new value is exactly the jobs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cronctl.targets.vercel.target import splice

SCHEDULES = """\
version: 1
project: acme
base_url: https://app.example.com
jobs:
  zeta-heartbeat:
    tier: infrastructure
    path: /api/cron/zeta
    schedule: "*/10 * * * *"
  alpha-disabled:
    tier: infrastructure
    path: /api/cron/alpha
    schedule: "0 1 * * *"
    enabled: false
  reminders:
    tier: business
    path: /api/cron/reminders
    schedule: "0 9 * * *"
  mid-cleanup:
    tier: infrastructure
    path: /api/cron/mid
    schedule: "0 3 * * 0"
"""
# Enabled infrastructure jobs, in file order; the disabled and the business job are left out.
EXPECTED = [
    {"path": "/api/cron/zeta", "schedule": "*/10 * * * *"},
    {"path": "/api/cron/mid", "schedule": "0 3 * * 0"},
]
OLD = '[{"path": "/api/cron/old", "schedule": "0 0 * * *"}]'


def generate(cli, write_config, project_dir: Path, original: bytes) -> bytes:
    write_config(SCHEDULES)
    target = project_dir / "vercel.json"
    target.write_bytes(original)
    code, out, err = cli("generate")
    assert code == 0, err
    assert f"wrote {target} (2 crons)" in out
    return target.read_bytes()


def assert_only_crons_changed(original: bytes, new: bytes, old_value: bytes) -> bytes:
    """`old_value` appears once in `original`; returns the bytes that replaced it."""
    assert original.count(old_value) == 1
    before, after = original.split(old_value)
    assert new.startswith(before), "bytes before 'crons' changed"
    assert new.endswith(after), "bytes after 'crons' changed"
    middle = new[len(before) : len(new) - len(after)]
    assert json.loads(middle.decode()) == EXPECTED
    return middle


def test_other_keys_before_and_after_keep_value_order_and_layout(cli, write_config, project_dir):
    original = (
        '{\n'
        '  "$schema": "https://openapi.vercel.sh/vercel.json",\n'
        '  "version": 2,\n'
        '  "regions": ["iad1", "cdg1"],\n'
        f'  "crons": {OLD},\n'
        '  "headers": [ { "source": "/(.*)", "headers": [{"key": "X-A", "value": "{[\\"]}"}] } ],\n'
        '  "rewrites":[{"source":"/a","destination":"/b"}],\n'
        '  "functions": {"api/**": {"crons": "not this one"}},\n'
        '  "cleanUrls": true\n'
        '}\n'
    ).encode()
    new = generate(cli, write_config, project_dir, original)
    middle = assert_only_crons_changed(original, new, OLD.encode())
    assert middle == (
        b'[\n'
        b'    {\n'
        b'      "path": "/api/cron/zeta",\n'
        b'      "schedule": "*/10 * * * *"\n'
        b'    },\n'
        b'    {\n'
        b'      "path": "/api/cron/mid",\n'
        b'      "schedule": "0 3 * * 0"\n'
        b'    }\n'
        b'  ]'
    )
    doc = json.loads(new)
    assert list(doc) == ["$schema", "version", "regions", "crons", "headers", "rewrites",
                         "functions", "cleanUrls"]
    assert doc["functions"] == {"api/**": {"crons": "not this one"}}


def test_four_space_indentation(cli, write_config, project_dir):
    original = f'{{\n    "version": 2,\n    "crons": {OLD},\n    "cleanUrls": true\n}}\n'.encode()
    new = generate(cli, write_config, project_dir, original)
    middle = assert_only_crons_changed(original, new, OLD.encode())
    lines = middle.split(b"\n")
    assert lines[1] == b"        {"
    assert lines[2] == b'            "path": "/api/cron/zeta",'
    assert lines[-1] == b"    ]"


def test_tab_indentation(cli, write_config, project_dir):
    original = f'{{\n\t"version": 2,\n\t"crons": {OLD}\n}}\n'.encode()
    new = generate(cli, write_config, project_dir, original)
    middle = assert_only_crons_changed(original, new, OLD.encode())
    assert b"  " not in middle
    assert middle.split(b"\n")[1:3] == [b"\t\t{", b'\t\t\t"path": "/api/cron/zeta",']
    assert middle.endswith(b"\n\t]")


def test_crlf_line_endings(cli, write_config, project_dir):
    original = f'{{\r\n  "version": 2,\r\n  "crons": {OLD},\r\n  "b": 1\r\n}}\r\n'.encode()
    new = generate(cli, write_config, project_dir, original)
    assert_only_crons_changed(original, new, OLD.encode())
    assert new.count(b"\n") == new.count(b"\r\n") > 4


def test_utf8_bom_is_kept(cli, write_config, project_dir):
    original = f'\ufeff{{\n  "name": "café",\n  "crons": {OLD}\n}}\n'.encode()
    new = generate(cli, write_config, project_dir, original)
    assert new.startswith(b"\xef\xbb\xbf{")
    assert_only_crons_changed(original, new, OLD.encode())


def test_minified_file_stays_minified(cli, write_config, project_dir):
    original = b'{"version":2,"crons":[],"cleanUrls":true}'
    new = generate(cli, write_config, project_dir, original)
    assert new == (
        b'{"version":2,"crons":[{"path":"/api/cron/zeta","schedule":"*/10 * * * *"},'
        b'{"path":"/api/cron/mid","schedule":"0 3 * * 0"}],"cleanUrls":true}'
    )


def test_file_without_crons_gets_it_appended(cli, write_config, project_dir):
    original = b'{\n  "version": 2,\n  "regions": ["iad1"]\n}\n'
    new = generate(cli, write_config, project_dir, original)
    head = b'{\n  "version": 2,\n  "regions": ["iad1"]'
    assert new.startswith(head + b',\n  "crons": [\n    {\n')
    assert new.endswith(b'\n  ]\n}\n')
    doc = json.loads(new)
    assert list(doc) == ["version", "regions", "crons"] and doc["crons"] == EXPECTED


def test_empty_object(cli, write_config, project_dir):
    new = generate(cli, write_config, project_dir, b"{}")
    assert json.loads(new) == {"crons": EXPECTED}


def test_empty_object_over_lines(cli, write_config, project_dir):
    new = generate(cli, write_config, project_dir, b"{\n}\n")
    assert json.loads(new) == {"crons": EXPECTED}
    assert new.startswith(b'{\n  "crons": [\n') and new.endswith(b"  ]\n}\n")


def test_missing_file_is_created(cli, write_config, project_dir):
    write_config(SCHEDULES)
    code, out, err = cli("generate")
    assert code == 0, err
    text = (project_dir / "vercel.json").read_text()
    assert json.loads(text) == {"crons": EXPECTED}
    assert text.endswith("}\n")
    # and a second run changes nothing
    code, out, _ = cli("generate")
    assert code == 0 and "is up to date" in out


def test_no_infrastructure_jobs_and_no_file_writes_nothing(cli, write_config, project_dir):
    write_config("version: 1\nproject: acme\njobs: {}\n")
    code, out, _ = cli("generate")
    assert code == 0
    assert "is up to date" in out
    assert not (project_dir / "vercel.json").exists()


def test_removing_every_job_empties_the_array(cli, write_config, project_dir):
    write_config("version: 1\nproject: acme\njobs: {}\n")
    original = f'{{\n  "crons": {OLD},\n  "version": 2\n}}\n'.encode()
    (project_dir / "vercel.json").write_bytes(original)
    code, _, err = cli("generate")
    assert code == 0, err
    assert (project_dir / "vercel.json").read_bytes() == original.replace(OLD.encode(), b"[]")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b'{\n  "version": 2,\n  "crons": [\n}\n', "vercel.json:4:1: invalid JSON"),
        (b'{"version": 2,}', "invalid JSON"),
        (b"", "invalid JSON"),
        (b'{\n  "crons": {"path": "/a"}\n}\n', "'crons' must be a list, found dict"),
        (b'{"crons": "0 6 * * *"}', "'crons' must be a list, found str"),
        (b'[{"path": "/a"}]', "the top level must be a JSON object"),
        (b'{"a": "caf\xe9"}', "not UTF-8"),
    ],
)
def test_refused_write_leaves_the_file_byte_identical(cli, write_config, project_dir, content,
                                                      fragment):
    write_config(SCHEDULES)
    target = project_dir / "vercel.json"
    target.write_bytes(content)
    for args in (["generate"], ["generate", "--check"]):
        code, out, err = cli(*args)
        assert code == 2, err
        assert fragment in err
        assert "untouched" in err or "nothing was written" in err
        assert "Traceback" not in err
        assert target.read_bytes() == content
    assert sorted(p.name for p in project_dir.iterdir()) == ["schedules.yaml", "vercel.json"]


@pytest.mark.parametrize(
    "text",
    [
        '{"a": "\\"crons\\": [1]", "crons": [], "b": "}"}',
        '{\n  "a": {"crons": [1, 2]},\n  "crons": [],\n  "z": ["]", "[", "\\\\"]\n}\n',
        '  {  "crons"  :  [ ]  }  ',
    ],
)
def test_splice_only_touches_the_top_level_crons(text):
    crons = [{"path": "/a", "schedule": "0 6 * * *"}]
    new = splice(text, crons)
    before = json.loads(text)
    after = json.loads(new)
    assert after["crons"] == crons
    assert {k: v for k, v in after.items() if k != "crons"} == {
        k: v for k, v in before.items() if k != "crons"}
    idx = text.index("[", text.rindex('"crons"'))  # the top-level key is the last one
    assert new[:idx] == text[:idx]
