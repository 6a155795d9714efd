"""The configuration reference (docs/configuration.md) is made from the format's declarations
and the target registry, like the JSON Schema: the committed page is what the generator makes,
every key has a description, and a target registered from outside appears in it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cronctl import targets
from cronctl.config import reference
from cronctl.config.model import file_model, job_models
from cronctl.config.shape import fields

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGE = REPO_ROOT / "docs" / "configuration.md"
SCHEMA = REPO_ROOT / "schedules.schema.json"


def format_classes() -> list[type]:
    """Every class of the format: the top level, its sections, every job model, and what they
    nest."""
    found: list[type] = [file_model()]
    reference._nested(file_model(), found)
    for model in job_models().values():
        found.append(model)
        reference._nested(model, found)
    return list(dict.fromkeys(found))


def test_the_committed_page_is_what_the_generator_makes():
    page = PAGE.read_text(encoding="utf-8")
    assert reference.inject(page) == page, (
        "docs/configuration.md is out of date: run "
        "`cronctl schema --markdown -o docs/configuration.md`")


def test_every_key_of_every_target_is_described():
    missing = [f"{cls.__module__}.{cls.__name__}.{name}"
               for cls in format_classes()
               for name in fields(cls)
               if not reference.field_docs(cls).get(name)]
    assert not missing, ("keys without a description (write a docstring on the line under "
                         f"the field): {missing}")


def test_every_key_is_on_the_page_with_its_default():
    text = reference.render()
    for cls in format_classes():
        for name in fields(cls):
            assert f"| `{name}` |" in text, (cls.__name__, name)
    assert "| `kill_grace` | duration | `10s` |" in text  # a duration's default, with its unit
    assert "| `schedule` | text | **required** |" in text


def test_the_schema_carries_the_same_descriptions():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for cls in format_classes():
        if cls is file_model():
            continue  # the top level's come from model.TOP_DOCS (checked above)
        props = schema["$defs"][cls.__name__]["properties"]
        for name, doc in reference.field_docs(cls).items():
            assert props[name].get("description") == doc, (cls.__name__, name)


def test_a_target_registered_from_outside_appears_with_its_keys():
    from cronctl.config.model import JobFields
    from cronctl.config.shape import spec

    @spec
    class LedgerJob(JobFields):
        """A job of the ledger target."""

        retain: int = 7
        """Days the ledger keeps a run."""

    plugin = targets.TargetPlugin(name="ledger", title="Ledger", job_model=LedgerJob,
                                  target="cronctl.targets.base:Target",
                                  build="cronctl.targets.vercel.model:build")
    targets.register(plugin)
    try:
        text = reference.render()
    finally:
        targets.unregister("ledger")
    assert "### `target: ledger` (Ledger) { #target-ledger }" in text
    assert "| `retain` | integer | `7` | Days the ledger keeps a run. |" in text
    assert "#target-ledger" not in reference.render()


@pytest.fixture
def page(tmp_path):
    path = tmp_path / "configuration.md"
    path.write_text(f"# Configuration\n\nProse.\n\n{reference.BEGIN}\nold\n{reference.END}\n"
                    "\nMore prose.\n")
    return path


def test_schema_markdown_writes_between_the_markers_and_keeps_the_prose(cli, page):
    assert cli("schema", "--markdown", "-o", page, "--check").code == 3
    result = cli("schema", "--markdown", "-o", page)
    assert result.code == 0, result.err
    text = page.read_text()
    assert text.startswith("# Configuration\n\nProse.\n\n" + reference.BEGIN)
    assert text.endswith(reference.END + "\n\nMore prose.\n")
    assert "| `project` | text | **required** |" in text
    assert cli("schema", "--markdown", "-o", page, "--check").code == 0


def test_schema_markdown_refuses_a_page_without_markers(cli, tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# Notes\n")
    result = cli("schema", "--markdown", "-o", path)
    assert result.code == 2
    assert "has no place for the reference" in result.err and reference.BEGIN in result.err
    assert path.read_text() == "# Notes\n"


def test_schema_markdown_prints_the_reference(cli):
    result = cli("schema", "--markdown")
    assert result.code == 0
    assert result.out.startswith(reference.BEGIN)
