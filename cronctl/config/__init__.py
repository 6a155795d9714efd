"""schedules.yaml: locate, load, validate."""

from .diagnostics import Diagnostic, Reporter
from .load import inspect_config, load_config
from .locate import find_config
from .project import Config, Job, schedule_id, schedule_id_prefix

__all__ = [
    "Config",
    "Diagnostic",
    "Reporter",
    "Job",
    "find_config",
    "inspect_config",
    "load_config",
    "schedule_id",
    "schedule_id_prefix",
]
