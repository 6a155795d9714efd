"""A problem in a value that came from a `${VAR}` is shown as the file writes it (`${API_KEY}`),
never with the variable's value: in text and in --json, for every check that repeats a value
(the path, the URL, the schedule), whatever the variable's name."""

from __future__ import annotations

import json

import pytest

HEAD = """\
version: 1
project: demo
base_url: http://localhost:3000
jobs:
  a:
    target: qstash
"""
VALUE = "s3cr3t-value-4711"


@pytest.mark.hardening
@pytest.mark.parametrize("field, line", [
    ("path", "    path: /api/x?k=${API_KEY} y\n    schedule: \"0 * * * *\"\n"),
    ("path", "    path: /api/x?k=${PLAIN_NAME} y\n    schedule: \"0 * * * *\"\n"),
    ("schedule", "    path: /api/x\n    schedule: \"0 * * * ${PLAIN_NAME}\"\n"),
])
def test_a_refused_value_from_a_variable_never_shows_the_value(cli, write_config, field, line):
    write_config(HEAD + line)
    env = {"API_KEY": VALUE, "PLAIN_NAME": VALUE}
    text = cli("validate", env=env)
    as_json = cli("validate", "--json", env=env)
    assert text.code == as_json.code == 2, text
    for result in (text, as_json):
        assert VALUE not in result.out + result.err
    problems = json.loads(as_json.out)["problems"]
    assert any(p["field"] == field and "${" in p["message"] for p in problems), problems
