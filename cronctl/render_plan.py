"""A plan as Terraform-style text, JSON, or Markdown for a pull-request comment.

Header values are never shown: a changed header is named, its value masked.
"""

from __future__ import annotations

from typing import Any

from .plan import SYMBOLS, Change, FieldChange, Plan
from .urls import display
from .vercel import VercelChange

STYLES = {"create": "green", "update": "yellow", "delete": "red", "pause": "cyan",
          "resume": "cyan"}
HIDDEN = "(value hidden)"


def _headers_delta(fc: FieldChange) -> dict[str, list[str]]:
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
    if fc.name == "headers":
        delta = _headers_delta(fc)
        parts = [f"{name} {kind}" for kind, names in delta.items() for name in names]
        return f"headers: {', '.join(parts)} {HIDDEN}"
    return f"{fc.name}: {_fmt(_shown(fc, fc.old))} → {_fmt(_shown(fc, fc.new))}"


def _shown(fc: FieldChange, value: Any) -> Any:
    """URLs as they may be shown: a query or credentials could hold a token."""
    if fc.name in ("callback", "failure_callback", "destination") and isinstance(value, str):
        return display(value)
    return value


def describe(change: Change) -> list[str]:
    """Detail lines under a change."""
    if change.action == "create" and change.desired:
        d = change.desired
        tz = "" if d.timezone == "UTC" else f" ({d.timezone})"
        lines = [f"{d.method} {d.destination}", f"cron: {d.cron}{tz}"]
        if d.paused:
            lines.append("paused (enabled: false)")
        return lines
    if change.action == "update":
        lines = [field_lines(fc) for fc in change.fields]
        if change.desired and change.desired.paused:
            lines.append("stays paused (enabled: false)")
        return lines
    if change.action == "delete":
        if change.adopted_by:
            return [f"unmanaged; replaced by job {change.adopted_by!r} (--adopt)"]
        return [f"{change.schedule_id} is no longer in the file"]
    if change.action == "pause":
        return ["enabled: false in the file"]
    return ["enabled: true in the file"]


def text(plan: Plan) -> str:
    from rich.markup import escape

    out: list[str] = []
    unmanaged = f", {len(plan.unmanaged)} unmanaged left alone" if plan.unmanaged else ""
    out.append(f"[bold]QStash[/] · {escape(plan.project)} "
               f"({plan.managed_live} managed{unmanaged})")
    for c in plan.changes:
        style = STYLES[c.action]
        out.append(f"  [{style}]{SYMBOLS[c.action]} {escape(c.job)}[/]")
        out.extend(f"      {escape(line)}" for line in describe(c))
    for name in plan.kept:
        out.append(f"  [dim]  {escape(name)}: orphaned, kept (--no-prune)[/]")
    if not plan.changes:
        out.append("  No changes. QStash matches the file.")
    out.append("")
    out.append(f"[bold]{plan.summary()}[/]")
    return "\n".join(out)


def to_json(plan: Plan) -> dict[str, Any]:
    def fields(c: Change) -> list[dict[str, Any]]:
        rows = []
        for fc in c.fields:
            if fc.name == "headers":
                rows.append({"field": "headers", **_headers_delta(fc)})
            else:
                rows.append({"field": fc.name, "old": _jsonable(_shown(fc, fc.old)),
                             "new": _jsonable(_shown(fc, fc.new))})
        return rows

    return {
        "project": plan.project,
        "summary": {
            "create": plan.count("create"),
            "update": plan.count("update"),
            "delete": plan.count("delete"),
            "pause": plan.count("pause"),
            "resume": plan.count("resume"),
            "unchanged": len(plan.unchanged),
            "unmanaged": len(plan.unmanaged),
            "managed": plan.managed_live,
            "requests_to_apply": plan.requests,
        },
        "changes": [
            {"action": c.action, "job": c.job, "schedule_id": c.schedule_id,
             "fields": fields(c), **({"adopted_by": c.adopted_by} if c.adopted_by else {})}
            for c in plan.changes
        ],
        "unchanged": plan.unchanged,
        "kept": plan.kept,
        "unmanaged": [s.schedule_id for s in plan.unmanaged],
    }


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def vercel_json(change: VercelChange) -> dict[str, Any]:
    return {
        "file": str(change.path),
        "changed": change.changed,
        "crons": change.new_crons,
        "diff": change.unified_diff(),
    }


def markdown(plan: Plan, vercel: VercelChange | None) -> str:
    out = [f"### cronctl plan: `{plan.project}`", ""]
    if vercel is not None:
        if vercel.changed:
            out += [f"**{vercel.path.name}** changes:", "", "```diff",
                    vercel.unified_diff().rstrip("\n"), "```", ""]
        else:
            out += [f"**{vercel.path.name}** is up to date.", ""]
    if plan.changes:
        out += ["| | job | change |", "|---|---|---|"]
        for c in plan.changes:
            detail = "<br>".join(_md_escape(line) for line in describe(c))
            out.append(f"| {SYMBOLS[c.action]} | `{c.job}` | {c.action}: {detail} |")
        out.append("")
    else:
        out += ["QStash matches the file.", ""]
    if plan.unmanaged:
        out += [f"{len(plan.unmanaged)} unmanaged schedule(s) left alone.", ""]
    out.append(f"**{plan.summary()}**")
    return "\n".join(out) + "\n"


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*")
