"""The schedule editor: span edits keep every other byte; preview shows next runs and the plan;
apply runs the engine (the dev server's schedule changes); stale pages and locked jobs are
refused; the plan page applies a pending change."""

from __future__ import annotations

import pytest

from cronctl.errors import UsageError
from cronctl.ui.spanedit import edit

from .helpers import by_id, csrf_of, field, plan_of

TEXT = """\
# head comment
version: 1
jobs:
  a:   # job a
    path: /a
    schedule: '0 9 * * *'    # keep this comment
    headers: {X-A: "1"}

    # a comment inside a
  b:
    <<: &base {path: /b}
    schedule: &s "5 * * * *"
  c: {path: /c, schedule: "1 * * * *"}
  d:
    path: /d
    schedule: >
      0 1 * * *
"""


def test_a_value_is_replaced_in_place():
    out = edit(TEXT, "a", {"schedule": "30 6 * * 1-5", "enabled": None})
    assert out == TEXT.replace("'0 9 * * *'", '"30 6 * * 1-5"')


def test_a_missing_key_is_added_beside_the_schedule():
    out = edit(TEXT, "a", {"timezone": "Europe/Lisbon", "enabled": False})
    assert out == TEXT.replace(
        "# keep this comment\n",
        '# keep this comment\n    timezone: "Europe/Lisbon"\n    enabled: false\n')


def test_crlf_and_flow_style_values():
    crlf = TEXT.replace("\n", "\r\n")
    out = edit(crlf, "a", {"timezone": "UTC"})
    assert out == crlf.replace("comment\r\n    headers", 'comment\r\n    timezone: "UTC"\r\n'
                               "    headers", 1)
    assert edit(TEXT, "c", {"schedule": "2 * * * *"}) == TEXT.replace('"1 * * * *"',
                                                                      '"2 * * * *"')


@pytest.mark.parametrize("name, change, says", [
    ("b", {"schedule": "1 1 * * *"}, "an anchor, an alias or a tagged value"),
    ("c", {"timezone": "UTC"}, "written in flow style"),
    ("d", {"schedule": "1 1 * * *"}, "block scalar"),
    ("zz", {"schedule": "1 1 * * *"}, "no job named 'zz'"),
])
def test_what_span_editing_cannot_do_safely_is_refused(name, change, says):
    with pytest.raises(UsageError, match=says):
        edit(TEXT, name, change)


def _editor(site, name="tick"):
    c = site.client()
    page = c.get(f"/jobs/{name}/edit").text
    return c, {"csrf": csrf_of(page), "digest": field(page, "digest"),
               "schedule": field(page, "schedule"), "timezone": field(page, "timezone"),
               "enabled": "on"}


def _qstash(site, name):
    return next(s for s in site.dev.schedules() if s["scheduleId"].endswith(f".{name}"))


def test_edit_preview_then_apply(site):
    path = site.folder / "schedules.yaml"
    before = path.read_bytes()
    c, form = _editor(site)
    form.update(schedule="15 10 * * 1-5", timezone="Europe/Berlin")
    r = c.post("/jobs/tick/edit", data={**form, "action": "preview"})
    assert r.status_code == 200
    assert path.read_bytes() == before  # a preview writes nothing
    runs = by_id(r.text, "next-runs")
    assert "10:15:00" in runs and "+01:00" in r.text
    plan = plan_of(r.text)
    assert "tick" in plan and "update" in plan and "Europe/Berlin" in plan
    assert r.text.index('id="plan"') < r.text.index('id="apply"')  # Apply after the preview
    assert "0 9 1 1 *" in _qstash(site, "tick")["cron"]  # not applied yet
    r = c.post("/jobs/tick/edit", data={**form, "action": "apply"})
    assert by_id(r.text, "done") == "Saved schedules.yaml and applied 1 change."
    after = path.read_bytes()
    # every byte outside the edit is unchanged: the value replaced, one line added after it
    assert after == before.replace(
        b'schedule: "0 9 1 1 *"   # once a year: it never fires during a test\n    labels',
        b'schedule: "15 10 * * 1-5"   # once a year: it never fires during a test\n'
        b'    timezone: "Europe/Berlin"\n    labels', 1)
    assert "15 10 * * 1-5" in _qstash(site, "tick")["cron"]
    assert "Europe/Berlin" in _qstash(site, "tick")["cron"]
    entry = c.get("/api/audit").json()["entries"][0]
    assert (entry["user"], entry["action"], entry["job"]) == ("ada", "edit", "tick")


def test_a_file_changed_since_the_page_was_loaded_is_refused(site):
    path = site.folder / "schedules.yaml"
    c, form = _editor(site, "fails")
    path.write_text(path.read_text() + "# someone else's edit\n")
    changed = path.read_bytes()
    r = c.post("/jobs/fails/edit", data={**form, "schedule": "1 2 * * *", "action": "apply"})
    assert r.status_code == 409
    assert "changed on disk since this page was loaded" in by_id(r.text, "problem")
    assert path.read_bytes() == changed


def test_an_invalid_schedule_is_refused_with_the_file_line(site):
    path = site.folder / "schedules.yaml"
    before = path.read_bytes()
    c, form = _editor(site, "fails")
    r = c.post("/jobs/fails/edit", data={**form, "schedule": "61 * * * *", "action": "apply"})
    assert r.status_code == 400
    assert "schedules.yaml" in by_id(r.text, "problem") and "61" in r.text
    assert path.read_bytes() == before


def test_the_plan_page_applies_what_it_showed(site):
    path = site.folder / "schedules.yaml"
    path.write_text(path.read_text().replace(
        'path: /api/cron/fails\n    schedule: "0 9 1 1 *"',
        'path: /api/cron/fails\n    schedule: "0 8 1 1 *"'))
    c = site.client()
    page = c.get("/plan").text
    assert "fails" in plan_of(page) and "0 8 1 1 *" in plan_of(page)
    seal = field(page, "seal")
    r = c.post("/plan/apply", data={"csrf": csrf_of(page), "seal": "stale"})
    assert r.status_code == 409 and "plan changed since" in by_id(r.text, "problem")
    r = c.post("/plan/apply", data={"csrf": csrf_of(page), "seal": seal})
    assert by_id(r.text, "done") == "Applied 1 change."
    assert '<a href="/plan">Back to the plan</a>' in r.text
    assert "0 8 1 1 *" in _qstash(site, "fails")["cron"]
    assert "Nothing to apply" in c.get("/plan").text
