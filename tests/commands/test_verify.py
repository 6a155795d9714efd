"""`cronctl verify`'s usage errors (exit 2, one clear message), what it says of jobs it cannot
observe (unobserved, never a false alarm), that reading creates no ledger, its Markdown, and
the `verify:` settings: checked by `validate` and applied job over target over default."""

from __future__ import annotations

import json

from cronctl.config import load_config
from cronctl.verification import policy_for

RUNNER = """\
version: 1
project: acme
base_url: https://app.example.com
runner:
  verify: {tolerance: 2m, max_runtime: 30m}
jobs:
  sweep:
    target: runner
    path: /api/cron/sweep
    schedule: "*/15 * * * *"
    verify: {grace: 5m}
  keep-alive:
    tier: infrastructure
    path: /api/cron/keep-alive
    schedule: "0 6 * * *"
"""


def test_usage_errors_exit_2_with_one_message(cli, write_config):
    write_config(RUNNER)
    bad = cli("verify", "--since", "soon")
    assert bad.code == 2 and "--since 'soon' is not a duration" in bad.err
    assert "Traceback" not in bad.err
    unknown = cli("verify", "swep")
    assert unknown.code == 2 and "no job named 'swep'" in unknown.err
    assert "did you mean 'sweep'" in unknown.err
    huge = cli("verify", "sweep", "--since", "20000d")
    assert huge.code == 2 and "job 'sweep': more than 100000 runs" in huge.err
    assert "--since" in huge.err


def test_what_cannot_be_observed_is_not_judged_and_nothing_is_created(cli, write_config,
                                                                      project_dir):
    write_config(RUNNER)
    done = cli("verify", "--json", "--since", "2d")
    data = json.loads(done.out)
    jobs = {j["job"]: j for j in data["jobs"]}
    # Vercel in production keeps no run list cronctl can read: unobserved, not missed
    vercel = jobs["keep-alive"]
    assert vercel["counts"]["unobserved"] in (2, 3) and vercel["counts"]["missed"] == 0
    assert "send check-ins" in vercel["unobservable"]
    # No runner has run: its jobs are missed, and the drift says why
    sweep = jobs["sweep"]
    assert sweep["counts"]["missed"] > 100 and "no runner has run" in sweep["drift"]
    assert done.code == 1
    assert not (project_dir / ".cronctl" / "runner.sqlite3").exists()  # a read creates none

    only = cli("verify", "keep-alive", "--since", "2d")
    assert only.code == 0, only.err
    assert "not judged: Vercel keeps its cron runs" in only.out and "All ran." in only.out


def test_markdown(cli, write_config):
    write_config(RUNNER)
    md = cli("verify", "--markdown", "--since", "1h")
    assert md.out.startswith("### cronctl verify (last 1h)")
    assert "| `sweep` | runner |" in md.out and "|---|" in md.out
    assert "- `sweep`: drift: no runner ledger yet" in md.out


def test_policy_job_over_target_over_default(write_config):
    path = write_config(RUNNER)
    config = load_config(path)
    from cronctl.engine import target_for

    sweep = config.job("sweep")
    policy = policy_for(config, target_for(config, None, sweep), sweep)
    assert (policy.tolerance_ms, policy.grace_ms, policy.max_runtime_ms) == \
        (120_000, 300_000, 1_800_000)
    alive = config.job("keep-alive")
    default = policy_for(config, target_for(config, None, alive), alive)
    assert (default.tolerance_ms, default.grace_ms, default.max_runtime_ms) == (60_000, 0, None)


def test_validate_reports_a_bad_verify_setting_with_its_line(cli, write_config):
    write_config(RUNNER.replace("verify: {grace: 5m}", "verify: {grace: soon, runtime: 1m}"))
    result = cli("validate")
    assert result.code == 2
    assert "schedules.yaml:11:21: error: job 'sweep', verify.grace" in result.err
    assert "runtime" in result.err


def test_a_target_without_the_capability_is_reported_unobserved(cli, write_config):
    """A plugin target that cannot observe (tests/targets/test_plugin_target.py's ledger):
    its jobs' slots are counted, not judged, with the one refusal as the reason."""
    from cronctl import targets
    from tests.targets.test_plugin_target import FILE, PLUGIN

    targets.register(PLUGIN)
    try:
        write_config(FILE)
        done = cli("verify", "--json", "--since", "7d")
    finally:
        targets.unregister("ledger")
    assert done.code == 0, done.err
    nightly = {j["job"]: j for j in json.loads(done.out)["jobs"]}["nightly"]
    assert nightly["counts"]["unobserved"] == 7 and nightly["counts"]["missed"] == 0
    assert "cronctl cannot observe the runs of Ledger jobs" in nightly["unobservable"]
