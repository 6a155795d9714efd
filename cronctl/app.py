"""The running application: its state (options, environment, the loaded config) and the one
error handler that turns exceptions into a message and an exit code. `cli.py` only wires
Typer to this."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .environment import current
from .errors import CronctlError, ExitStatus, UsageError


@dataclass
class State:
    config: str | None = None
    debug: bool = False
    verbose: int = 0
    no_color: bool = False
    env: dict[str, str] | None = None  # the environment for ${VARS} (default: os.environ)
    qstash: tuple[str, str] | None = None  # (url, token) to use instead of the environment
    cache: dict = field(default_factory=dict, repr=False)  # found once per command (dev server)

    def __post_init__(self) -> None:
        from . import deadlines

        deadlines.reset()  # a command's reads share one deadline, counted from here

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

    def load(self, *, require: tuple[str, ...] = (), remote: bool = False):
        """Load the config; `require` names the tiers whose ${VARS} must be set. `remote`: the
        command talks to a provider, so variables this shell lacks come from a discovered
        `cronctl dev` (dev/discovery.py)."""
        from .config import load_config
        from .output import add_secrets

        path = self.config_path()
        config = load_config(path, self.env)
        lacking = config.unset or not current().value("CRON_SECRET")
        if remote and self.env is None and lacking and self.use_dev_env():
            self.env = dict(current().vars)
            config = load_config(path, self.env)
        add_secrets(config.secrets)
        if require:
            config.require_env(require)
        return config

    def use_dev_env(self) -> dict[str, str]:
        """What this shell lacks and a discovered `cronctl dev` has (the file's ${VARS}, the
        CRON_SECRET it sends), made part of the run's Environment: every command and target
        then reads it as the shell's (dev/discovery.py). Once per command."""
        from .dev.discovery import adopt

        return adopt(self)

    def tell(self, text: str) -> None:
        """What a target has to say (a note, a warning): one line on stderr."""
        from .output import echo

        echo(text, err=True)

    def now(self) -> datetime:
        """Now, for windows and next runs: a discovered dev server's frozen clock, or the wall
        clock. Asked once per command, so one command sees one time."""
        if "now" not in self.cache:
            from .dev.discovery import server_now

            self.cache["now"] = server_now(self) or current().clock()
        return self.cache["now"]


def start(*, no_color: bool) -> None:
    """What every invocation does first: output mode, and the secrets it must never print."""
    from .output import register_env_secrets, set_no_color

    set_no_color(no_color)
    register_env_secrets(dict(current().vars))


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


def confirm(question: str, *, yes: bool, dry_run: bool = False) -> bool:
    """--yes answers; a terminal is asked; with no terminal and no --yes, refuse (exit 2).
    `dry_run`: the command has --dry-run, so the hint may offer it."""
    if yes:
        return True
    if not current().stdin_tty:
        hint = "pass --yes to go ahead without asking (as the CI step on deploy does)"
        raise UsageError("no terminal to confirm on",
                         hint=hint + (", or --dry-run to only show the plan" if dry_run else ""))
    # On stderr, so stdout stays clean for --json; Ctrl-C raises KeyboardInterrupt (exit 130).
    sys.stderr.write(f"{question} [y/N]: ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")
