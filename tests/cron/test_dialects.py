"""The dialect API: one entry point, the same three answers from every provider's dialect."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cronctl import cron


def test_get_dialect_and_each_targets_dialect():
    assert cron.get_dialect("qstash").provider == "QStash"
    assert cron.get_dialect("kubernetes").provider == "Kubernetes"
    assert cron.get_dialect("vercel", plan="hobby").window_minutes == 60
    assert cron.get_dialect("vercel").window_minutes == 0
    # A job's dialect is its target's (the registry), with the target's settings.
    from cronctl import targets
    from cronctl.targets.vercel.model import VercelSettings

    assert targets.plugin("qstash").ref("dialect")(None).name == "qstash"
    assert targets.plugin("vercel").ref("dialect")(VercelSettings(plan="hobby")).plan == "hobby"
    assert targets.plugin("kubernetes").ref("dialect")(None).name == "kubernetes"
    with pytest.raises(ValueError, match="unknown cron dialect 'cloudflare'"):
        cron.get_dialect("cloudflare")


@pytest.mark.parametrize("name", ["qstash", "kubernetes", "vercel"])
def test_every_dialect_answers_the_three_questions(name):
    d = cron.get_dialect(name)
    assert d.validate("0 6 * * *") == []
    assert d.describe("0 6 * * *") == "At 06:00 every day"
    after = datetime(2026, 1, 1, 6, tzinfo=UTC)
    assert d.next_runs("0 6 * * *", None, 2, after=after) == [
        datetime(2026, 1, 2, 6, tzinfo=UTC), datetime(2026, 1, 3, 6, tzinfo=UTC)]
    assert d.next_after("0 6 * * *", after) == datetime(2026, 1, 2, 6, tzinfo=UTC)
    problems = d.validate("0 0 * * 7")
    assert [p.severity for p in problems] == ["error"] and problems[0].hint
    assert "7" in problems[0].message
    assert d.next_runs("0 0 * * 7") == []  # refused: no preview of runs that never happen
    assert d.describe("0 0 * * 7") == "0 0 * * 7"


def test_qstash_timezone_is_the_cron_tz_prefix():
    q = cron.get_dialect("qstash")
    after = datetime(2026, 3, 7, tzinfo=UTC)
    assert q.next_runs("30 2 * * *", "America/New_York", 3, after=after) == \
        q.next_runs("CRON_TZ=America/New_York 30 2 * * *", None, 3, after=after)
    assert q.validate("CRON_TZ=Mars/Olympus 0 9 * * *")[0].message.startswith(
        "QStash refuses 'CRON_TZ=Mars/Olympus 0 9 * * *': provided bad location Mars/Olympus")


def test_qstash_accepts_what_robfig_accepts():
    q = cron.get_dialect("qstash")
    for expr in ("@daily", "@every 1h30m", "0 9 * * MON-FRI", "0 0 ? * *", "*/60 * * * *"):
        assert [p for p in q.validate(expr) if p.severity == "error"] == [], expr
    assert q.describe("@every 1h30m") == "Every 1 hour 30 minutes"


def test_kubernetes_zone_goes_in_timezone():
    k = cron.get_dialect("kubernetes")
    [problem] = k.validate("CRON_TZ=Europe/Berlin 0 9 * * *")
    assert "cannot use TZ or CRON_TZ in schedule, use timeZone field instead" in problem.message
    assert k.validate("0 9 * * *", "Europe/Berlin") == []
    for zone, says in (("Local", "explicit time zone"), ("", "non-empty string"),
                       ("Mars/Olympus", "unknown time zone"),
                       ("Europe//Berlin", "unknown time zone")):
        [problem] = k.validate("0 9 * * *", zone)
        assert problem.field == "timezone" and problem.hint and says in problem.message
    after = datetime(2026, 3, 7, tzinfo=UTC)
    assert [r.day for r in k.next_runs("30 2 * * *", "America/New_York", 2, after=after)] == \
        [7, 9]  # robfig's gap skip, as QStash


def test_or_rule_is_a_warning_saying_what_happens():
    [warning] = cron.get_dialect("qstash").validate("0 0 */2 * 1")
    assert warning.severity == "warning"
    assert "EITHER" in warning.message and "*/2" in warning.hint
    assert cron.get_dialect("qstash").validate("0 0 */2 * *") == []
    assert cron.get_dialect("qstash").validate("0 0 1 * 1")[0].severity == "warning"


def test_dst_gap_and_overlap_are_warnings():
    q = cron.get_dialect("qstash")
    [gap] = q.validate("30 2 * * *", "America/New_York")
    assert gap.severity == "warning"
    assert "02:30 does not exist in America/New_York" in gap.message
    assert "QStash skips that run" in gap.message
    [overlap] = q.validate("30 1 * * *", "America/New_York")
    assert "01:30 happens twice in America/New_York" in overlap.message
    assert "runs it twice" in overlap.message
    assert q.validate("0 * * * *", "America/New_York") == []  # hourly follows real time
    assert q.validate("30 12 * * *", "America/New_York") == []
    # Lord Howe's 30-minute change: robfig's own quirks (see the golden file) are warned too.
    gap, quirk = q.validate("0 2 * * *", "Australia/Lord_Howe")
    assert "02:00 does not exist in Australia/Lord_Howe" in gap.message
    assert quirk.message.startswith("QStash does not run at 02:00 on ")
    assert "clock change (30 minutes)" in quirk.message
    overlap, quirk = q.validate("30 1 * * *", "Australia/Lord_Howe")
    assert "01:30 happens twice" in overlap.message
    assert quirk.message.startswith("QStash also runs at 02:30 on ")


def test_never_firing_is_an_error_of_cronctls_own():
    q = cron.get_dialect("qstash")
    assert q.refusal("0 0 31 2 *") is None  # QStash accepts it ...
    [problem] = q.validate("0 0 31 2 *")  # ... and it would never run
    assert problem.severity == "error" and "never fires" in problem.message


@pytest.mark.parametrize(("expr", "text"), [
    ("*/15 * * * *", "Every 15 minutes"),
    ("0 * * * *", "Every hour"),
    ("0 9 * * 1-5", "At 09:00 on Monday to Friday"),
    ("0 9 1 * *", "At 09:00 on day 1 of the month"),
    ("0 0 1 1 *", "At 00:00 on day 1 of the month in January"),
    ("0 0 1 * 1", "At 00:00 on day 1 of the month, and on Monday"),
    ("0 6,18 * * *", "At 06:00 and 18:00 every day"),
    ("@weekly", "At 00:00 on Sunday"),
])
def test_descriptions(expr, text):
    assert cron.get_dialect("qstash").describe(expr) == text


def test_vercel_hobby_preview_says_within_the_hour():
    hobby = cron.get_dialect("vercel", plan="hobby")
    assert hobby.describe("0 6 * * *") == \
        "At 06:00 every day (Hobby plan: some time within that hour)"
    assert cron.get_dialect("vercel").describe("0 6 * * *") == "At 06:00 every day"
    assert [p.message for p in hobby.validate("0 * * * *")] == [
        "the Hobby plan allows cron jobs at most once a day"]


@pytest.mark.parametrize(("expr", "fragment"), [
    ("*-5 * * * *", "minute '*-5': QStash reads it as '*'"),
    ("0 0 ?-3 * 1", "day-of-month '?-3': QStash reads it as '*'"),
    ("*/60 * * * *", "minute '*/60': the step is larger than the field"),
    ("0 0 */32 * *", "day-of-month '*/32': the step is larger than the field"),
])
def test_robfig_quirks_are_warnings(expr, fragment):
    problems = cron.get_dialect("qstash").validate(expr)
    assert [p.severity for p in problems] == ["warning"]
    assert fragment in problems[0].message and problems[0].hint


def test_ordinary_expressions_have_no_warnings():
    q = cron.get_dialect("qstash")
    for expr in ("*/30 * * * *", "0 9 * * MON-FRI", "5-55/10 * * * *", "0 0 1 */3 *", "@daily"):
        assert q.validate(expr) == [], expr
