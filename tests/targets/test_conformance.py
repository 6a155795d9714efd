"""Every registered target passes the conformance kit (cronctl.testing.conformance), and so
does a target written outside cronctl (the ledger of test_plugin_target.py)."""

from __future__ import annotations

import pytest

from cronctl import targets
from cronctl.testing import conformance


@pytest.mark.parametrize("check", conformance.CHECKS, ids=conformance.ids)
@pytest.mark.parametrize("name", targets.names())
def test_every_built_in_target_conforms(name, check, tmp_path):
    check(conformance.Case.make(name, tmp_path))


def test_a_third_party_target_runs_the_kit(tmp_path):
    from .test_plugin_target import PLUGIN

    targets.register(PLUGIN)
    try:
        example = {"jobs": {"a": {"target": "ledger", "schedule": "0 2 * * *",
                                  "command": "./a"},
                            "b": {"target": "ledger", "schedule": "0 3 * * *",
                                  "command": "./b"}}}
        case = conformance.Case(PLUGIN.name, tmp_path, PLUGIN, example)
        case.write(example)
        for one in conformance.CHECKS:
            one(case)
    finally:
        targets.unregister("ledger")


def test_the_kit_finds_a_target_that_does_not_conform(tmp_path):
    """The control: a target whose normal form differs from itself fails the kit."""
    from .test_plugin_target import PLUGIN, LedgerTarget

    class Drifting(LedgerTarget):
        def differences(self, live, desired):
            return super().differences(live, desired) or (object(),)

    targets.register(targets.TargetPlugin(**{**PLUGIN.__dict__, "target": Drifting}))
    try:
        example = {"jobs": {"a": {"target": "ledger", "schedule": "0 2 * * *",
                                  "command": "./a"}}}
        case = conformance.Case("ledger", tmp_path, targets.plugin("ledger"), example)
        case.write(example)
        with pytest.raises(AssertionError):
            conformance.plan_is_idempotent(case)
    finally:
        targets.unregister("ledger")
