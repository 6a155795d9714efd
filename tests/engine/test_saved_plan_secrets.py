"""A saved plan never lets its reader recover a secret (issue 25): its checksums are keyed
(HMAC-SHA256) with a key that never leaves the machine that plans and applies (the user's state
folder, 0600), or with CRONCTL_PLAN_KEY when planning and applying run on different machines
(CI jobs). Real CLI against a real `cronctl dev`."""

from __future__ import annotations

import json
import stat

import pytest


def _plan(project, name: str) -> dict:
    made = project.run("diff", "--out", name)
    assert made.code == 0, made.err
    return json.loads((project.folder / name).read_text())


def _other_machine(project, monkeypatch, tmp_path, folder: str):
    """Another machine: its own state folder (so its own plan key)."""
    state = tmp_path / folder
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state


def test_a_plan_does_not_confirm_a_guessed_secret_offline(project, monkeypatch, tmp_path):
    project.write(project.job("a") + project.job("b"))
    assert project.run("schedule", "--yes").code == 0  # the live state holds the secret too
    project.write(project.job("a", schedule="5 9 * * *") + project.job("b"))
    victim = _plan(project, "plan.json")
    # The reader: the plan artifact, the public schedules.yaml and cronctl, on their machine.
    _other_machine(project, monkeypatch, tmp_path, "attacker-state")
    guesses = {}
    for guess in ("wrong-guess-123", project.secret):
        monkeypatch.setenv("CRON_SECRET", guess)
        guesses[guess] = _plan(project, f"guess-{len(guesses)}.json")
    for guessed in guesses.values():
        for part in ("desired", "live"):
            assert guessed["targets"]["qstash"][part] != victim["targets"]["qstash"][part]
    assert project.secret not in (project.folder / "plan.json").read_text()


def test_the_plan_key_is_private_and_the_plan_names_it_without_revealing_it(
        project, monkeypatch, tmp_path):
    state = _other_machine(project, monkeypatch, tmp_path, "state")
    project.write(project.job("a"))
    saved = _plan(project, "plan.json")
    key = state / "cronctl" / "plan.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert saved["version"] == 2
    assert saved["key"]["source"] == "state"
    assert key.read_text().strip() not in json.dumps(saved)
    assert saved["targets"]["qstash"]["desired"].startswith("hmac-sha256:")
    applied = project.run("schedule", "--plan", "plan.json")
    assert applied.code == 0, applied.err


def test_a_plan_made_on_another_machine_needs_the_shared_key(project, monkeypatch, tmp_path):
    project.write(project.job("a"))
    _other_machine(project, monkeypatch, tmp_path, "pr-runner")
    _plan(project, "plan.json")
    _other_machine(project, monkeypatch, tmp_path, "deploy-runner")
    refused = project.run("schedule", "--plan", "plan.json")
    assert refused.code == 2, refused.err
    assert "another plan key" in refused.err and "CRONCTL_PLAN_KEY" in refused.err
    assert project.schedules() == {}
    # The CI way: the same CRONCTL_PLAN_KEY (a CI secret) where it plans and where it applies.
    monkeypatch.setenv("CRONCTL_PLAN_KEY", "ci-secret-plan-key-0123456789abcdef")
    _other_machine(project, monkeypatch, tmp_path, "pr-runner-2")
    saved = _plan(project, "plan.json")
    assert saved["key"]["source"] == "CRONCTL_PLAN_KEY"
    assert "ci-secret-plan-key" not in json.dumps(saved)
    _other_machine(project, monkeypatch, tmp_path, "deploy-runner-2")
    applied = project.run("schedule", "--plan", "plan.json")
    assert applied.code == 0, applied.err
    assert set(project.schedules()) == {"cronctl.acme.a"}


@pytest.mark.parametrize("key", ["short", ""])
def test_a_weak_plan_key_is_refused(project, monkeypatch, key):
    project.write(project.job("a"))
    monkeypatch.setenv("CRONCTL_PLAN_KEY", key)
    result = project.run("diff", "--out", "plan.json")
    if key:
        assert result.code == 2 and "CRONCTL_PLAN_KEY" in result.err
        assert not (project.folder / "plan.json").exists()
    else:  # set but empty: as if unset
        assert result.code == 0, result.err


def test_a_version_1_plan_is_refused_with_what_to_do(project):
    project.write(project.job("a"))
    saved = _plan(project, "plan.json")
    (project.folder / "old.json").write_text(json.dumps({**saved, "version": 1}))
    result = project.run("schedule", "--plan", "old.json")
    assert result.code == 2 and "plan format 1" in result.err and "reads 2" in result.err
    assert project.schedules() == {}


def test_a_plan_key_others_can_read_is_refused_not_used(project, monkeypatch, tmp_path):
    state = _other_machine(project, monkeypatch, tmp_path, "state")
    project.write(project.job("a"))
    _plan(project, "plan.json")
    key = state / "cronctl" / "plan.key"
    key.chmod(0o644)
    result = project.run("diff", "--out", "again.json")
    assert result.code != 0 and "can be read by other users (mode 644)" in result.err
    assert "chmod go=" in result.err and not (project.folder / "again.json").exists()
    assert key.read_text().strip() not in result.err
