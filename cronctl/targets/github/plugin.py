"""The github target, as the registry (cronctl/targets/__init__.py) knows it."""

from .. import TargetPlugin
from .model import HINTS, LIMITS

PLUGIN = TargetPlugin(
    name="github",
    title="GitHub Actions",
    job_model="cronctl.targets.github.model:GitHubJob",
    target="cronctl.targets.github.target:GitHubTarget",
    build="cronctl.targets.github.model:build",
    validate="cronctl.targets.github.validate",
    settings="cronctl.targets.github.model:GitHubSettings",
    settings_key="github",
    settings_optional=True,
    dialect="cronctl.targets.github.model:dialect",
    noun="github job",
    hints=HINTS,
    limits=LIMITS,
    quotas="cronctl.targets.github.quotas",
    reads="cronctl.targets.github.model:reads",
)
