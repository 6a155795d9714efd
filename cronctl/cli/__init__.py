"""The command line: the Typer app (`commands.py`), the history commands (`history.py`), the click
classes behind global options (`core.py`) and Typer's value coercion (`params.py`)."""

from .commands import app

__all__ = ["app"]
