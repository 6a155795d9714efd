"""The pg_cron target, as the registry (cronctl/targets/__init__.py) knows it."""

from .. import TargetPlugin
from .model import HINTS, LIMITS

PLUGIN = TargetPlugin(
    name="pg_cron",
    title="pg_cron",
    job_model="cronctl.targets.pg_cron.model:PgCronJob",
    target="cronctl.targets.pg_cron.target:PgCronTarget",
    build="cronctl.targets.pg_cron.model:build",
    validate="cronctl.targets.pg_cron.validate",
    settings="cronctl.targets.pg_cron.model:PgCronSettings",
    settings_key="pg_cron",
    settings_optional=True,
    dialect="cronctl.targets.pg_cron.model:dialect",
    noun="pg_cron job",
    hints=HINTS,
    limits=LIMITS,
    reads="cronctl.targets.pg_cron.model:reads",
)
