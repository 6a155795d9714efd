"""`cronctl diff`: the vercel.json change and the QStash plan, changing nothing."""

from __future__ import annotations

from .. import render as render_plan
from ..ci import append_summary
from ..errors import ExitStatus
from ..output import echo, print_json, print_renderable
from ..targets import vercel
from ..targets.qstash import connect as _qstash


def run(state, *, exit_code: bool, json_out: bool, markdown: bool) -> int:
    config = state.load(require=("infrastructure", "business"))
    vchange = vercel.plan(config)
    plan, _ = _qstash.fetch_plan(state, config, vercel_only_ok=True)
    append_summary(render_plan.markdown(plan, vchange))
    if json_out:
        print_json(
            {"vercel": render_plan.vercel_json(vchange), "qstash": render_plan.to_json(plan)}
        )
    elif markdown:
        echo(render_plan.markdown(plan, vchange).rstrip("\n"))
    else:
        show(vchange, plan)
    changed = vchange.changed or plan.has_changes
    return ExitStatus.CHANGES if exit_code and changed else ExitStatus.OK


def show(vchange, plan) -> None:
    from rich.text import Text

    if vchange.changed:
        echo(f"{vchange.path.name}:")
        print_renderable(Text(vchange.unified_diff().rstrip("\n")))
    else:
        echo(f"{vchange.path.name}: up to date")
    echo()
    print_renderable(render_plan.text(plan))
