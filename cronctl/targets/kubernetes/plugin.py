"""The kubernetes target, as the registry (cronctl/targets/__init__.py) knows it."""

from .. import TargetPlugin
from .model import HINTS, LIMITS

PLUGIN = TargetPlugin(
    name="kubernetes",
    title="Kubernetes",
    job_model="cronctl.targets.kubernetes.model:KubernetesJob",
    target="cronctl.targets.kubernetes.target:KubernetesTarget",
    build="cronctl.targets.kubernetes.model:build",
    validate="cronctl.targets.kubernetes.validate",
    settings="cronctl.targets.kubernetes.model:KubernetesSettings",
    settings_key="kubernetes",
    settings_optional=True,
    dialect="cronctl.targets.kubernetes.model:dialect",
    noun="kubernetes job",
    hints=HINTS,
    limits=LIMITS,
    reads="cronctl.targets.kubernetes.model:reads",
)
