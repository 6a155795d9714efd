"""Replicas share a busy tick's runs instead of racing for all of them.

Every replica sees the same due runs. Without sharing, the first claim to commit wins the
whole batch and one replica does the minute's work while the others idle. Here each replica
first claims its own share: the runs whose run-ID hash falls to its place among the replicas
alive (a heartbeat within the lease), the same split on every replica. The rest it holds back
one tick: by then their owners have claimed them, so its claim of them does nothing; when an
owner died or is too slow, it wins them then (one tick late), so no run waits on a dead replica.
Exactly-once is the claim's (INSERT ... ON CONFLICT DO NOTHING), as before: sharing only
orders who tries first. Rows that record a miss or a skip are claimed at once by all.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from .records import Execution


def owner(run_id: str, replicas: int) -> int:
    """The place (0..replicas-1) of the replica that claims this run first."""
    return zlib.crc32(run_id.encode()) % replicas


def split(rows: Sequence[Execution], alive: Sequence[str], me: str
          ) -> tuple[list[Execution], list[Execution]]:
    """(claim now, claim next tick): this replica's share of the runs to start and every
    miss or skip, then the other replicas' shares."""
    alive = sorted(set(alive) | {me})
    if len(alive) < 2:
        return list(rows), []
    place = alive.index(me)
    now: list[Execution] = []
    later: list[Execution] = []
    for row in rows:
        mine = row.outcome != "running" or owner(row.run_id, len(alive)) == place
        (now if mine else later).append(row)
    return now, later


def alive(replicas: Sequence[tuple], now_ms: int, lease_ms: int) -> list[str]:
    """The replicas whose heartbeat is within the lease (ledger.replicas() rows)."""
    return [r[0] for r in replicas if r[1] >= now_ms - lease_ms]
