"""The runner target, as the registry (cronctl/targets/__init__.py) knows it."""

from .. import TargetPlugin
from .spec import HINTS, LIMITS

PLUGIN = TargetPlugin(
    name="runner",
    title="runner",
    job_model="cronctl.targets.runner.spec:RunnerJob",
    target="cronctl.targets.runner.target:RunnerTarget",
    build="cronctl.targets.runner.spec:build",
    validate="cronctl.targets.runner.validate",
    settings="cronctl.targets.runner.spec:RunnerSettings",
    settings_key="runner",
    settings_optional=True,
    dialect="cronctl.targets.runner.spec:dialect",
    noun="runner job",
    hints=HINTS,
    limits=LIMITS,
    reads="cronctl.targets.runner.spec:reads",
    sends_cron_secret=True,
)
