"""The qstash target, as the registry (cronctl/targets/__init__.py) knows it."""

from .. import TargetPlugin
from .model import HINTS, LIMITS

PLUGIN = TargetPlugin(
    name="qstash",
    title="QStash",
    job_model="cronctl.targets.qstash.model:BusinessJob",
    target="cronctl.targets.qstash.target:QStashTarget",
    build="cronctl.targets.qstash.model:build",
    validate="cronctl.targets.qstash.validate",
    # The file's `defaults:` apply to QStash jobs only: they are this target's settings.
    settings="cronctl.targets.qstash.model:Defaults",
    settings_key="defaults",
    dialect="cronctl.targets.qstash.model:dialect",
    tier="business",
    noun="business job",
    hints=HINTS,
    limits=LIMITS,
    quotas="cronctl.targets.qstash.quotas",
    reads="cronctl.targets.qstash.model:reads",
    sends_cron_secret=True,
)
