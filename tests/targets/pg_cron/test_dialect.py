"""pg_cron's dialect beyond what Debian's 1.4.2 can show: 1.5's `'N seconds'` and 1.6's `$` and
step rule, as pg_cron's source has them (src/job_metadata.c TryParseInterval, src/entry.c, and
src/pg_cron.c ShouldRunTask); the 1.4 grammar is proven against the engine in test_fidelity.py."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cronctl import cron
from cronctl.targets.pg_cron.dialect import PgCronDialect

AFTER = datetime(2027, 2, 10, 12, 0, 30, tzinfo=UTC)


def _utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(("expr", "v14", "v16"), [
    ("0 0 $ * *", False, True),
    ("0 0 $5 * *", False, False),
    ("0 0 1,$ * *", False, False),  # `$` stands alone
    ("5 seconds", False, True),
    ("59 seconds", False, True),
    ("1 second", False, True),  # "%u secon%c%c": the plural is optional
    ("5 seconds   ", False, True),
    ("5 second ", False, False),  # the third %c reads the space: not 's'
    ("5seconds", False, True),
    ("5 SECONDS", False, True),
    ("60 seconds", False, False),
    ("0 seconds", False, False),
    ("-5 seconds", False, False),
    ("5 seconds x", False, False),
    ("5 minutes", False, False),
    ("*/90 * * * *", True, False),  # 1.6.5 refuses a step past the field's end
    ("0 */24 * * *", True, False),
    ("0 */23 * * *", True, True),
])
def test_version_grammar(expr, v14, v16):
    assert (PgCronDialect("1.4").refusal(expr) is None) is v14
    assert (PgCronDialect("1.6").refusal(expr) is None) is v16


def test_the_last_day_of_the_month_runs_on_each_months_last_day():
    runs = PgCronDialect("1.6").next_runs("30 23 $ * *", n=4, after=AFTER)
    assert runs == [_utc(2027, 2, 28, 23, 30), _utc(2027, 3, 31, 23, 30),
                    _utc(2027, 4, 30, 23, 30), _utc(2027, 5, 31, 23, 30)]
    leap = PgCronDialect("1.6").next_runs("0 0 $ 2 *", n=1, after=AFTER)
    assert leap == [_utc(2027, 2, 28)]
    assert PgCronDialect("1.6").next_runs("0 0 $ 2 *", n=2, after=AFTER)[1] == _utc(2028, 2, 29)
    # `$` and a day-of-week: either (neither field starts with '*')
    either = PgCronDialect("1.6").next_runs("0 0 $ * 1", n=3, after=AFTER)
    assert either == [_utc(2027, 2, 15), _utc(2027, 2, 22), _utc(2027, 2, 28)]
    assert "last day of the month" in PgCronDialect("1.6").describe("30 23 $ * *")


def test_an_interval_runs_every_n_seconds():
    d = PgCronDialect("1.6")
    assert d.next_runs("5 seconds", n=3, after=AFTER) == [
        _utc(2027, 2, 10, 12, 0, 35), _utc(2027, 2, 10, 12, 0, 40), _utc(2027, 2, 10, 12, 0, 45)]
    assert d.describe("5 seconds") == "Every 5 seconds"
    hint = PgCronDialect("1.4").validate("5 seconds")[0].hint
    assert "1.5" in hint


def test_a_star_step_in_day_of_month_counts_as_star_unlike_robfig():
    """Vixie's rule (ShouldRunTask): `*/2` sets DOM_STAR, so a day must match both fields;
    robfig clears the star on a step and runs on either."""
    expr = "0 0 */2 * 1"
    ours = PgCronDialect("1.6").next_runs(expr, n=3, after=AFTER)
    assert all(t.weekday() == 0 and t.day % 2 == 1 for t in ours)
    robfig = cron.get_dialect("kubernetes").next_runs(expr, "UTC", 3, after=AFTER)
    assert robfig != ours
    warnings = [p.message for p in PgCronDialect("1.6").validate(expr)]
    assert any("counts as '*'" in w for w in warnings)


def test_sunday_is_0_and_7_and_names_are_any_case():
    d = PgCronDialect("1.4")
    assert d.next_runs("0 9 * * 7", n=1, after=AFTER) == d.next_runs("0 9 * * sUn", n=1,
                                                                      after=AFTER)
    assert d.next_runs("0 9 * * 7", n=1, after=AFTER)[0].weekday() == 6


def test_warnings_and_errors_say_what_pg_cron_does():
    d = PgCronDialect("1.6")
    tz = d.validate("0 9 * * *", "Europe/Lisbon")
    assert tz[0].field == "timezone" and "UTC" in tz[0].message
    assert d.validate("0 9 * * *", "UTC") == []
    assert any("first five" in p.message for p in d.validate("0 0 9 * * *"))
    assert any("EITHER" in p.message for p in d.validate("0 0 1,15 * 1"))
    reboot = d.validate("@reboot")
    assert reboot[0].severity == "warning" and d.next_runs("@reboot") == []
    assert d.validate("0 0 31 2 *")[0].severity == "error"  # accepted, but never fires
    assert "N/S" in d.validate("1/5 * * * *")[0].hint


def test_validate_warns_when_more_than_eight_jobs_can_start_together(cli, write_config):
    jobs = "".join(f"  j{i}:\n    target: pg_cron\n    sql: \"SELECT {i}\"\n"
                   f"    schedule: \"0 3 * * *\"\n" for i in range(8))
    head = "version: 1\nproject: demo\npg_cron: {version: \"1.6\"}\njobs:\n"
    write_config(head + jobs)
    r = cli("validate")
    assert r.code == 0 and "recommends no more than 8" not in r.out + r.err
    write_config(head + jobs + "  fast:\n    target: pg_cron\n    sql: \"SELECT 9\"\n"
                 "    schedule: \"30 seconds\"\n")
    r = cli("validate")
    assert r.code == 0, r.out + r.err
    assert "9 pg_cron jobs can start at 03:00 UTC" in r.out + r.err


def test_the_example_file_is_valid(cli):
    example = Path(__file__).resolve().parents[3] / "examples" / "pg_cron" / "schedules.yaml"
    r = cli("--config", str(example), "validate")
    assert r.code == 0, r.out + r.err
    assert "error" not in (r.out + r.err).lower()
