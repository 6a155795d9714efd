"""One way to draw a table for a person: the key column (a job name) is never cut.

When the terminal is too narrow, the least useful columns are dropped first (each column says
how useful it is), then the remaining free-text columns wrap. Rich is imported here only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PAD = 3  # rich's cell padding plus one border per column


@dataclass(frozen=True)
class Col:
    name: str
    keep: int = 5  # higher stays longer when space runs out; the key column is never dropped
    key: bool = False  # never cut, never wrapped (a job name)
    right: bool = False
    wrap: bool = False  # free text that may wrap onto more lines
    min_width: int = 0  # a wrapped column's narrowest useful width


def table(title: str | None, cols: list[Col], rows: list[list[Any]], *, width: int | None = None,
          caption: str | None = None):
    """A rich Table of `rows` (cells are strings or rich markup) fitted to `width`."""
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    if width is None:
        from .output import console

        width = console().width

    def plain(cell: Any) -> str:
        return Text.from_markup(cell).plain if isinstance(cell, str) else str(cell)

    def need(i: int) -> int:
        """The width column `i` needs: its widest line, or, when it may wrap, its longest
        word (at least its minimum)."""
        col = cols[i]
        lines = [line for r in rows for line in plain(r[i]).splitlines()]
        widest = max([cell_len(col.name)] + [cell_len(line) for line in lines])
        if not col.wrap:
            return widest
        word = max([0] + [cell_len(w) for line in lines for w in line.split()])
        return min(widest, max(col.min_width, word, cell_len(col.name)))

    shown = list(range(len(cols)))
    # Drop the least useful columns until what must not wrap fits.
    while sum(need(i) + PAD for i in shown) + 1 > width:
        droppable = [i for i in shown if not cols[i].key]
        if len(droppable) <= 1:
            break
        shown.remove(min(droppable, key=lambda i: (cols[i].keep, -i)))
    t = Table(title=title, title_justify="left", caption=caption, caption_justify="left")
    for i in shown:
        col = cols[i]
        fixed = not col.wrap
        t.add_column(col.name, justify="right" if col.right else "left",
                     no_wrap=fixed, overflow="fold",
                     min_width=need(i) if fixed else None)
    for r in rows:
        t.add_row(*(r[i] for i in shown))
    return t
