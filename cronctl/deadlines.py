"""How long cronctl waits on servers: the overall deadline (one clock, whatever the retries and
however slowly a server answers).

- Reading (`diff`, `list`, `stats`, `logs`, `dlq`, `probe`, and the plan `schedule` and `cleanup`
  read before they change anything): 60 s for the whole command, every server it asks together.
- Changing (applying a plan, `pause`/`resume`, `trigger`, `dlq --retry/--delete`): 300 s per
  phase, since a large apply is paced by the provider's rate limit.
- `trigger --wait`: its `--timeout` plus the reading deadline.

`CRONCTL_DEADLINE=SECONDS` replaces both defaults. The time spent reading is counted per command
(`reset` is called when a command's state is made); a prompt between phases does not count.
"""

from __future__ import annotations

READ_S = 60.0
WRITE_S = 300.0
_read_spent = 0.0


def reset() -> None:
    global _read_spent
    _read_spent = 0.0


def named(phase: str) -> float:
    """The deadline a message names: CRONCTL_DEADLINE, else the phase's default."""
    from .environment import current

    default = WRITE_S if phase == "write" else READ_S  # "wait": added to --timeout
    return current().tuning.deadline or default


def budget(phase: str) -> float:
    """What this phase may still take (reading shares one deadline per command)."""
    return named(phase) - _read_spent if phase == "read" else named(phase)


def spend(phase: str, seconds: float) -> None:
    global _read_spent
    if phase == "read":
        _read_spent += max(0.0, seconds)


def what(phase: str) -> str:
    return {"read": "the overall deadline for reading",
            "wait": "--timeout plus the deadline for reading"}.get(
                phase, "the overall deadline for changes")


HINT = ("CRONCTL_DEADLINE=SECONDS allows longer (default: 60 s for reading, 300 s for "
        "changes)")
