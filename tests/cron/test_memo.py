"""A project validates the same cron in the same zone many times (1,000 jobs, a few schedules):
the dialect answers each (expression, zone) once per process and day."""

from cronctl import cron
from cronctl.cron import base


def test_the_same_expression_and_zone_are_checked_once(monkeypatch):
    calls = []
    real = base.dst_warnings

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(base, "dst_warnings", counting)
    monkeypatch.setattr(base, "_VALIDATED", {})
    dialect = cron.get_dialect("qstash")
    first = dialect.validate("30 2 * * *", "America/New_York")
    for _ in range(50):
        assert cron.get_dialect("qstash").validate("30 2 * * *", "America/New_York") == first
    assert len(calls) == 1
    assert any(p.severity == "warning" for p in first)  # the DST gap, still reported
    cron.get_dialect("qstash").validate("30 2 * * *", "Europe/Berlin")
    assert len(calls) == 2


def test_a_cached_answer_cannot_be_changed_by_its_caller(monkeypatch):
    monkeypatch.setattr(base, "_VALIDATED", {})
    dialect = cron.get_dialect("vercel", plan="hobby")
    problems = dialect.validate("*/5 * * * *")
    problems.clear()
    assert dialect.validate("*/5 * * * *")  # still refused
    assert cron.get_dialect("vercel", plan="pro").validate("*/5 * * * *") == []
