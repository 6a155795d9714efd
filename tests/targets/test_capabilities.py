"""One refusal for what a target cannot do, with the target's own way as the hint."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cronctl.errors import UsageError
from cronctl.targets.capabilities import DeadLetters, Pausable, RunHistory, Stats, capable
from cronctl.targets.kubernetes.target import KubernetesTarget
from cronctl.targets.qstash.target import QStashTarget
from cronctl.targets.vercel.target import VercelTarget

CONFIG = SimpleNamespace(project="acme", path="schedules.yaml", jobs=[], settings={})
JOB = SimpleNamespace(name="sweep")


def test_a_target_with_the_capability_is_returned():
    target = QStashTarget(CONFIG)
    assert capable(target, Pausable, JOB) is target
    assert capable(target, DeadLetters) is target


@pytest.mark.parametrize(("target", "capability", "message", "hint"), [
    (VercelTarget, Pausable, "'sweep' runs on Vercel; cronctl cannot pause or resume Vercel "
     "jobs", "run 'cronctl generate'"),
    (KubernetesTarget, RunHistory, "cronctl cannot read the past runs of Kubernetes jobs",
     "kubectl get jobs -l cronctl.dev/job=NAME"),
    (KubernetesTarget, DeadLetters, "cronctl cannot list or retry dead letters of Kubernetes "
     "jobs", "dead-letter queue"),
    (VercelTarget, Stats, "cronctl cannot read delivery statistics of Vercel jobs",
     "View Logs"),
])
def test_a_target_without_it_refuses_in_one_voice(target, capability, message, hint):
    with pytest.raises(UsageError) as caught:
        capable(target(CONFIG), capability, JOB if capability is Pausable else None)
    assert caught.value.message == message and hint in (caught.value.hint or "")
    # the operation called directly (code written against the old interface) says the same
    with pytest.raises(UsageError) as direct:
        if capability is RunHistory:
            target(CONFIG).runs([], since_ms=0)
        elif capability is DeadLetters:
            target(CONFIG).dead_letters([])
        elif capability is Stats:
            target(CONFIG).stats_jobs()
        else:
            target(CONFIG).pause(JOB, paused=True)
    assert direct.value.message == message
