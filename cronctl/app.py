"""The running application: its state (options, environment, the loaded config) and the one
error handler that turns exceptions into a message and an exit code. `cli.py` only wires
Typer to this."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import CronctlError, ExitStatus, UsageError


@dataclass
class State:
    config: str | None = None
    debug: bool = False
    verbose: int = 0

    def config_path(self) -> Path:
        from .config import find_config

        return find_config(self.config)

    def optional_config_path(self) -> Path | None:
        """The config file if one is found; None when none is (unless --config named one)."""
        from .errors import ConfigError

        try:
            return self.config_path()
        except ConfigError:
            if self.config:
                raise
            return None

    def load(self, *, require: tuple[str, ...] = ()):
        """Load the config; `require` names the tiers whose ${VARS} must be set."""
        from .config import load_config
        from .output import add_secrets

        config = load_config(self.config_path())
        add_secrets(config.secrets)
        if require:
            config.require_env(require)
        return config


def start(*, no_color: bool) -> None:
    """What every invocation does first: output mode, and the secrets it must never print."""
    from .output import register_env_secrets, set_no_color

    set_no_color(no_color)
    register_env_secrets()


def run_guarded(body, *, debug: bool) -> int:
    """Run a command body; a CronctlError becomes one clear message and its exit status.
    With --debug the traceback is shown too, through the same scrubber as every other line."""
    from .output import echo

    try:
        return int(body() or 0)
    except CronctlError as exc:
        if debug:
            _traceback()
        echo(f"error: {exc.render()}", err=True)
        from .ci import annotate, annotate_error

        if exc.diagnostics:
            annotate(exc.diagnostics)
        else:
            annotate_error(exc.render())
        return int(exc.exit_status)
    except KeyboardInterrupt:
        echo("interrupted", err=True)
        return int(ExitStatus.INTERRUPTED)
    except SystemExit:
        raise
    except OSError as exc:
        # The disk, the file system, a folder that is not there: the user can fix these.
        if debug:
            _traceback()
        from .fsutil import describe_os_error

        echo(f"error: {describe_os_error(exc)}", err=True)
        return int(ExitStatus.FAILED)
    except Exception as exc:
        if type(exc).__module__.startswith("click") or type(exc).__name__ == "Exit":
            raise
        if debug:
            _traceback()
            return int(ExitStatus.FAILED)
        echo(
            f"error: internal error: {type(exc).__name__}: {exc}\n"
            "  hint: run again with --debug for the traceback, and report it",
            err=True,
        )
        return int(ExitStatus.FAILED)


def _traceback() -> None:
    import traceback

    from .output import echo

    echo(traceback.format_exc().rstrip("\n"), err=True)


def confirm(question: str, *, yes: bool) -> bool:
    """--yes answers; a terminal is asked; with no terminal and no --yes, refuse (exit 2)."""
    if yes:
        return True
    if not sys.stdin.isatty():
        raise UsageError(
            "no terminal to confirm on",
            hint="pass --yes to apply without asking (as the CI step on deploy does), "
            "or --dry-run to only show the plan",
        )
    # On stderr, so stdout stays clean for --json; Ctrl-C raises KeyboardInterrupt (exit 130).
    sys.stderr.write(f"{question} [y/N]: ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")
