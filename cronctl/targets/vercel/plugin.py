"""The vercel target, as the registry (cronctl/targets/__init__.py) knows it."""

from .. import TargetPlugin
from .model import HINTS, LIMITS

PLUGIN = TargetPlugin(
    name="vercel",
    title="Vercel",
    job_model="cronctl.targets.vercel.model:InfrastructureJob",
    target="cronctl.targets.vercel.target:VercelTarget",
    build="cronctl.targets.vercel.model:build",
    validate="cronctl.targets.vercel.validate",
    settings="cronctl.targets.vercel.model:VercelSettings",
    settings_key="vercel",
    dialect="cronctl.targets.vercel.model:dialect",
    tier="infrastructure",
    noun="infrastructure job",
    hints=HINTS,
    limits=LIMITS,
    quotas="cronctl.targets.vercel.quotas",
    reads="cronctl.targets.vercel.model:reads",
    sends_cron_secret=True,
)
