"""The runner target, as the registry (cronctl/targets/__init__.py) knows it."""

from .. import TargetPlugin
from .model import HINTS, LIMITS

PLUGIN = TargetPlugin(
    name="runner",
    title="runner",
    job_model="cronctl.targets.runner.model:RunnerJob",
    target="cronctl.targets.runner.target:RunnerTarget",
    build="cronctl.targets.runner.model:build",
    validate="cronctl.targets.runner.validate",
    settings="cronctl.targets.runner.model:RunnerSettings",
    settings_key="runner",
    settings_optional=True,
    dialect="cronctl.targets.runner.model:dialect",
    noun="runner job",
    hints=HINTS,
    limits=LIMITS,
    reads="cronctl.targets.runner.model:reads",
    sends_cron_secret=True,
)
