"""The command line: the Typer app and most commands (`commands.py`), the run-history commands
(`history.py`) and the runner's `run` and `exec` (`runner.py`), registered on the same app
beside them, the click classes behind global
options (`core.py`) and Typer's value coercion (`params.py`)."""

from . import (
    history,  # noqa: F401  (registers `logs` and `dlq` on the app)
    runner,  # noqa: F401  (registers `run` and `exec` on the app)
)
from .commands import app

__all__ = ["app"]
