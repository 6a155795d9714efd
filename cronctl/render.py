"""Plans as Terraform-style text, JSON (one shape, keyed by target) or Markdown for a
pull-request comment. Generic: it knows Plans and Changes, never a provider.

Secret fields (headers) are never shown: a changed header is named, its value masked.
"""

from __future__ import annotations

from typing import Any

from .plan import ACTIONS, SYMBOLS, Change, FieldChange, Plan
from .urls import display

STYLES = {"create": "green", "update": "yellow", "delete": "red", "pause": "cyan",
          "resume": "cyan", "rename": "yellow"}
HIDDEN = "(value hidden)"


def _names_delta(fc: FieldChange) -> dict[str, list[str]]:
    old, new = dict(fc.old or ()), dict(fc.new or ())  # type: ignore[arg-type]
    return {
        "added": sorted(set(new) - set(old)),
        "removed": sorted(set(old) - set(new)),
        "changed": sorted(k for k in set(old) & set(new) if old[k] != new[k]),
    }


def _fmt(value: Any) -> str:
    if value is None or value == "" or value == ():
        return "(none)"
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def field_lines(fc: FieldChange) -> str:
    if fc.secret:
        parts = [f"{name} {kind}" for kind, names in _names_delta(fc).items() for name in names]
        return f"{fc.name}: {', '.join(parts)} {HIDDEN}"
    return f"{fc.name}: {_fmt(_shown(fc.old))} → {_fmt(_shown(fc.new))}"


def _shown(value: Any) -> Any:
    """A URL as it may be shown: its query or credentials could hold a token."""
    if isinstance(value, str) and "://" in value:
        return display(value)
    return value


def describe(change: Change) -> list[str]:
    """Detail lines under a change."""
    if change.action == "create":
        return list(change.detail)
    if change.action == "rename":
        return [f"renamed from {change.renamed_from} (renamed_from); its history stays",
                *(field_lines(fc) for fc in change.fields)]
    if change.action == "update":
        lines = [field_lines(fc) for fc in change.fields]
        if getattr(change.desired, "paused", False):
            lines.append("stays paused (enabled: false)")
        return lines
    if change.action == "delete":
        if change.adopted_by:
            return [f"unmanaged; replaced by job {change.adopted_by!r} (--adopt)"]
        if getattr(change.live, "moved_to", None):  # e.g. a Vercel cron becoming a schedule
            return [change.live.moved_to]
        return [f"{change.key} is no longer in the file"]
    if change.action == "pause":
        return ["enabled: false in the file"]
    return ["enabled: true in the file"]


def text(plan: Plan) -> str:
    """The plan for a person; the provider's limits it meets as warnings at the end."""
    from rich.markup import escape

    body = _text(plan)
    warnings = [f"[yellow]warning:[/] {escape(w)}" for w in plan.warnings]
    return "\n".join([body, *warnings]) if warnings else body


def _text(plan: Plan) -> str:
    from rich.markup import escape

    out: list[str] = []
    for art in plan.changed_artifacts:
        out.append(f"{escape(art.shown)}:")
        out.append(escape(art.unified_diff().rstrip("\n")))
    out += [escape(line) for line in _up_to_date(plan)]
    if plan.artifacts:
        if not plan.changes:
            return "\n".join(out)
        out.append("")
    unmanaged = f", {len(plan.unmanaged)} unmanaged left alone" if plan.unmanaged else ""
    out.append(f"[bold]{escape(plan.title)}[/] · {escape(plan.project)} "
               f"({plan.managed_live} managed{unmanaged})")
    for c in plan.changes:
        style = STYLES[c.action]
        out.append(f"  [{style}]{SYMBOLS[c.action]} {escape(c.job)}[/]")
        out.extend(f"      {escape(line)}" for line in describe(c))
    for name in plan.kept:
        out.append(f"  [dim]  {escape(name)}: orphaned, kept (--no-prune)[/]")
    if not plan.changes:
        out.append(f"  No changes. {escape(plan.title)} matches the file.")
    out.append("")
    out.append(f"[bold]{plan.summary()}[/]")
    return "\n".join(out)


def _up_to_date(plan: Plan) -> list[str]:
    """"vercel.json: up to date", or for a target of several files, how many are."""
    same = [a for a in plan.artifacts if not a.changed]
    if not same:
        return []
    if len(plan.artifacts) == 1:
        return [f"{same[0].shown}: up to date"]
    return [f"{plan.title}: {len(same)} of {len(plan.artifacts)} files up to date"]


def to_json(plan: Plan) -> dict[str, Any]:
    def fields(c: Change) -> list[dict[str, Any]]:
        rows = []
        for fc in c.fields:
            if fc.secret:
                rows.append({"field": fc.name, **_names_delta(fc)})
            else:
                rows.append({"field": fc.name, "old": _jsonable(_shown(fc.old)),
                             "new": _jsonable(_shown(fc.new))})
        return rows

    data: dict[str, Any] = {
        "target": plan.target,
        "project": plan.project,
        "summary": {
            **{a: plan.count(a) for a in ACTIONS},
            "unchanged": len(plan.unchanged),
            "unmanaged": len(plan.unmanaged),
            "managed": plan.managed_live,
            "requests_to_apply": plan.requests,
        },
        "changes": [
            {"action": c.action, "job": c.job, "key": c.key, "schedule_id": c.key,
             "fields": fields(c), **({"adopted_by": c.adopted_by} if c.adopted_by else {}),
             **({"renamed_from": c.renamed_from} if c.renamed_from else {}),
             **({"attributes": list(c.detail)} if c.detail else {})}
            for c in plan.changes
        ],
        "unchanged": plan.unchanged,
        "kept": plan.kept,
        "unmanaged": [getattr(s, "key", None) or getattr(s, "schedule_id", str(s))
                      for s in plan.unmanaged],
        **plan.extra,
    }
    if plan.skipped:
        data["skipped"] = plan.skipped
    if plan.warnings:
        data["warnings"] = list(plan.warnings)
    return data


def report(plans: list[Plan]) -> dict[str, Any]:
    """The one JSON shape of diff, schedule and cleanup: a block per target, by its name."""
    return {p.target: to_json(p) for p in plans}


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def markdown(plans: list[Plan]) -> str:
    project = plans[0].project if plans else ""
    out = [f"### cronctl plan: `{project}`", ""]
    for plan in plans:
        for art in plan.changed_artifacts:
            out += [f"**{art.shown}** changes:", "", "```diff",
                    art.unified_diff().rstrip("\n"), "```", ""]
        if len(plan.artifacts) == 1 and not plan.artifacts[0].changed:
            out += [f"**{plan.artifacts[0].shown}** is up to date.", ""]
        else:
            out += [f"{line}.\n" for line in _up_to_date(plan)]
        out += [f"> **warning:** {_md_escape(w)}\n" for w in plan.warnings]
        if plan.artifacts:
            continue
        if plan.changes:
            out += [f"**{plan.title}**", "", "| | job | change |", "|---|---|---|"]
            for c in plan.changes:
                detail = "<br>".join(_md_escape(line) for line in describe(c))
                out.append(f"| {SYMBOLS[c.action]} | `{c.job}` | {c.action}: {detail} |")
            out.append("")
        elif not plan.skipped:
            out += [f"{plan.title} matches the file.", ""]
        if plan.unmanaged:
            out += [f"{len(plan.unmanaged)} unmanaged {plan.noun} left alone.", ""]
    out.append(f"**{totals(plans)}**")
    return "\n".join(out) + "\n"


def totals(plans: list[Plan]) -> str:
    """"Plan: 1 to create, 0 to update, 0 to delete, 4 unchanged." over every target."""
    n = {a: sum(p.count(a) for p in plans) for a in ACTIONS}
    parts = [f"{n['create']} to create", f"{n['update']} to update",
             f"{n['delete']} to delete"]
    parts += [f"{n[a]} to {a}" for a in ("pause", "resume", "rename") if n[a]]
    parts.append(f"{sum(len(p.unchanged) for p in plans)} unchanged")
    return "Plan: " + ", ".join(parts) + "."


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*")
