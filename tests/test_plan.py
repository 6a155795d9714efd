"""The generic plan: separate update and delete thresholds."""

from __future__ import annotations

from cronctl.plan import Change, Plan, Thresholds, check_safety


def plan_of(updates: int, deletes: int, managed: int) -> Plan:
    changes = [Change("update", f"u{i}", f"u{i}") for i in range(updates)]
    changes += [Change("delete", f"d{i}", f"d{i}") for i in range(deletes)]
    return Plan("acme", target="qstash", title="QStash", changes=changes, managed_live=managed)


def test_update_and_delete_thresholds_are_separate():
    limits = Thresholds(update=0.5, delete=0.1, min_existing=10)
    assert check_safety(plan_of(5, 1, 10), limits).ok  # 50% updates, 10% deletes
    refused = check_safety(plan_of(0, 2, 10), limits)
    assert not refused.ok and "deletes 2 of 10" in refused.message
    assert "10% delete limit" in refused.message
    refused = check_safety(plan_of(6, 0, 10), limits)
    assert not refused.ok and "updates 6 of 10" in refused.message
    # The default is octoDNS's: 30% each, from 10 managed items up.
    assert check_safety(plan_of(3, 3, 10)).ok
    assert not check_safety(plan_of(0, 4, 10)).ok
    assert check_safety(plan_of(0, 9, 9)).ok
