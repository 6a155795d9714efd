"""The QStash target's plan and the safety limit: pure functions over normal-form schedules."""

from types import SimpleNamespace

from cronctl.plan import check_safety
from cronctl.targets.qstash.spec import ScheduleSpec
from cronctl.targets.qstash.target import QStashTarget

PREFIX = "cronctl.acme."


def diff(project: str, prefix: str, desired, live, **kw):
    """The target's pure plan (no I/O: only the project and its ID prefix are read)."""
    target = QStashTarget(SimpleNamespace(project=project, id_prefix=prefix))
    return target.plan(desired, live, **kw)


def spec(name: str, **kw) -> ScheduleSpec:
    base = dict(schedule_id=PREFIX + name, destination=f"https://app/api/{name}",
                cron="0 9 * * *")
    base.update(kw)
    return ScheduleSpec(**base)


def test_create_update_delete_unchanged_and_unmanaged():
    desired = [spec("a"), spec("b", cron="0 10 * * *"), spec("c")]
    live = [spec("b"), spec("c"), spec("gone"),
            ScheduleSpec(schedule_id="scd_other", destination="https://x", cron="* * * * *")]
    plan = diff("acme", PREFIX, desired, live)
    actions = {(c.action, c.job) for c in plan.changes}
    assert actions == {("create", "a"), ("update", "b"), ("delete", "gone")}
    update = next(c for c in plan.changes if c.action == "update")
    assert [(f.name, f.old, f.new) for f in update.fields] == [("cron", "0 9 * * *",
                                                               "0 10 * * *")]
    assert plan.unchanged == ["c"]
    assert [s.schedule_id for s in plan.unmanaged] == ["scd_other"]
    assert plan.summary() == "Plan: 1 to create, 1 to update, 1 to delete, 1 unchanged."


def test_no_prune_keeps_orphans():
    plan = diff("acme", PREFIX, [], [spec("gone")], prune=False)
    assert plan.changes == [] and plan.kept == ["gone"]


def test_pause_and_resume_without_other_changes():
    plan = diff("acme", PREFIX, [spec("a", paused=True), spec("b")],
                [spec("a"), spec("b", paused=True)])
    assert {(c.action, c.job) for c in plan.changes} == {("pause", "a"), ("resume", "b")}
    assert "1 to pause, 1 to resume" in plan.summary()


def test_request_cost_counts_pause_state_fixups():
    plan = diff("acme", PREFIX, [spec("new", paused=True), spec("upd", cron="1 1 * * *"),
                                 spec("was", cron="2 2 * * *")],
                [spec("upd"), spec("was", paused=True)])
    cost = {c.job: c.requests for c in plan.changes}
    assert cost == {"new": 2, "upd": 1, "was": 2}


def test_adopt_deletes_matching_unmanaged_only():
    desired = [spec("a", destination="https://app/x", cron="0 9 * * *")]
    twin = ScheduleSpec(schedule_id="scd_1", destination="https://app/x", cron="0 9 * * *")
    other = ScheduleSpec(schedule_id="scd_2", destination="https://app/x", cron="0 8 * * *")
    plan = diff("acme", PREFIX, desired, [twin, other], adopt=True)
    deletes = [c for c in plan.changes if c.action == "delete"]
    assert [(c.key, c.adopted_by) for c in deletes] == [("scd_1", "a")]
    assert [s.schedule_id for s in plan.unmanaged] == ["scd_2"]
    plan = diff("acme", PREFIX, desired, [twin, other])
    assert not [c for c in plan.changes if c.action == "delete"]


def test_safety_limit_over_30_percent_of_at_least_10():
    live = [spec(f"j{i}") for i in range(10)]
    desired = [spec(f"j{i}", cron="5 5 * * *" if i < 3 else "0 9 * * *") for i in range(10)]
    assert check_safety(diff("acme", PREFIX, desired, live)).ok  # 3 of 10 = 30%: allowed
    desired[3] = spec("j3", cron="5 5 * * *")
    verdict = check_safety(diff("acme", PREFIX, desired, live))
    assert not verdict.ok and verdict.touched == 4 and verdict.managed == 10
    # Fewer than 10 managed schedules: no limit.
    assert check_safety(diff("acme", PREFIX, [], live[:9])).ok
