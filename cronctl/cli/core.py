"""The click classes behind the CLI: global options that work before or after the command, and
shell completion of job names.

One mechanism: the global options are declared once, on the root callback (cli.py);
`GlobalGroup` shares those same parameters with every `GlobalCommand`, which moves their values
into the one `State` (`ctx.obj`) before its body runs. So `cronctl -c f.yaml validate` and
`cronctl validate -c f.yaml` mean the same, and each command's `--help` lists them.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from ..app import State, start
from .params import use_plain_coercion

GLOBAL_NAMES = ("config", "verbose", "debug", "no_color")  # declared on the root callback


def apply_globals(ctx: Any, values: dict[str, Any]) -> State:
    """Merge global options' values into the one State: a later -c wins, -v counts add up,
    --debug and --no-color stay on once given."""
    state = ctx.find_object(State)
    if state is None:
        state = State()
    ctx.obj = state
    if values.get("config"):
        state.config = values["config"]
    state.verbose += values.get("verbose") or 0
    state.debug = state.debug or bool(values.get("debug"))
    if values.get("no_color") or ctx.parent is None:
        state.no_color = state.no_color or bool(values.get("no_color"))
        start(no_color=state.no_color)
    return state


class GlobalGroup(TyperGroup):
    """The root: it shares its global options (the same parameter objects) with every
    GlobalCommand, so they are declared once and parsed the same wherever they appear."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        shared = [p for p in self.params if p.name in GLOBAL_NAMES]
        for command in self.commands.values():
            if isinstance(command, GlobalCommand):
                have = {p.name for p in command.params}
                command.params.extend(p for p in shared if p.name not in have)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        use_plain_coercion(self.get_params(ctx))  # here: Typer adds its completion options late
        return super().parse_args(ctx, args)


class GlobalCommand(TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Value placeholders read as words (`--since SINCE`), not as types (`<str>`).
        for param in self.params:
            if (getattr(param, "param_type_name", "") == "option" and param.metavar is None
                    and not getattr(param, "is_flag", False)
                    and not getattr(param, "count", False)):
                param.metavar = (param.name or "value").upper()

    def get_short_help_str(self, limit: int = 45) -> str:
        """The whole first line of the help in `cronctl --help` (wrapped, never cut off)."""
        text = (self.short_help or self.help or "").strip()
        return text.split("\n\n", 1)[0].replace("\n", " ")

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        use_plain_coercion(self.get_params(ctx))
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        apply_globals(ctx, {name: ctx.params.pop(name, None) for name in GLOBAL_NAMES})
        return super().invoke(ctx)


def complete_job(ctx: typer.Context, incomplete: str) -> list[str]:
    """Job names from schedules.yaml, for shell completion (silent when it cannot load)."""
    config = None
    node = ctx
    while node is not None and config is None:
        config = node.params.get("config")
        node = node.parent
    try:
        from ..config import find_config, load_config

        loaded = load_config(find_config(config))
    except Exception:  # completion must never print an error into the shell
        return []
    return [j.name for j in loaded.jobs if j.name.startswith(incomplete)]
