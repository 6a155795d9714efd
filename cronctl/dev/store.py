"""The server's state in SQLite: schedules, events (QStash logs) and the DLQ.

Every write commits at once, so a restart or a crash loses no schedule. The server calls this from
its one event-loop thread; the statements are short, so they run inline.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .model import MessageSpec, Schedule, spec_json

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schedules (
    id TEXT PRIMARY KEY, cron TEXT NOT NULL, spec TEXT NOT NULL, created_ms INTEGER NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0, next_ms INTEGER, last_ms INTEGER,
    states TEXT NOT NULL DEFAULT '{}');
CREATE INDEX IF NOT EXISTS schedules_due ON schedules (next_ms) WHERE paused = 0;
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, message_id TEXT NOT NULL,
    schedule_id TEXT, state TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_time ON events (time, seq);
CREATE INDEX IF NOT EXISTS events_schedule ON events (schedule_id, time, seq);
CREATE TABLE IF NOT EXISTS dlq (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, dlq_id TEXT UNIQUE NOT NULL, schedule_id TEXT,
    created_ms INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    kind TEXT NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, name));
"""

_SCHEDULE_COLUMNS = "id, cron, spec, created_ms, paused, next_ms, last_ms, states"
IN_PROGRESS = ("ACTIVE", "RETRY", "ERROR")


class Store:
    def __init__(self, path: Path | None) -> None:
        """`path=None` keeps everything in memory."""
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(":memory:" if path is None else str(path),
                                  check_same_thread=False, isolation_level=None)
        if path is not None:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    # -- schedules ----------------------------------------------------------------------------

    def put_schedule(self, s: Schedule) -> None:
        self.db.execute(
            f"INSERT OR REPLACE INTO schedules ({_SCHEDULE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
            (s.schedule_id, s.cron, json.dumps(spec_json(s.spec)), s.created_ms, int(s.paused),
             s.next_ms, s.last_ms, json.dumps(s.states)),
        )

    def get_schedule(self, schedule_id: str) -> Schedule | None:
        row = self.db.execute(f"SELECT {_SCHEDULE_COLUMNS} FROM schedules WHERE id = ?",
                              (schedule_id,)).fetchone()
        return _schedule(row) if row else None

    def schedules(self) -> list[Schedule]:
        rows = self.db.execute(f"SELECT {_SCHEDULE_COLUMNS} FROM schedules "
                               "ORDER BY created_ms, id").fetchall()
        return [_schedule(r) for r in rows]

    def count_schedules(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM schedules").fetchone()[0])

    def delete_schedule(self, schedule_id: str) -> bool:
        return self.db.execute("DELETE FROM schedules WHERE id = ?", (schedule_id,)).rowcount > 0

    def next_due_ms(self) -> int | None:
        row = self.db.execute("SELECT MIN(next_ms) FROM schedules WHERE paused = 0").fetchone()
        return row[0]

    def due_schedules(self, now_ms: int) -> list[Schedule]:
        rows = self.db.execute(
            f"SELECT {_SCHEDULE_COLUMNS} FROM schedules WHERE paused = 0 AND next_ms <= ? "
            "ORDER BY next_ms, id", (now_ms,)).fetchall()
        return [_schedule(r) for r in rows]

    def set_state(self, schedule_id: str, message_id: str, state: str) -> None:
        """Record a message's outcome in `lastScheduleStates` if it is still the latest run's."""
        s = self.get_schedule(schedule_id)
        if s is not None and message_id in s.states:
            s.states[message_id] = state
            self.db.execute("UPDATE schedules SET states = ? WHERE id = ?",
                            (json.dumps(s.states), schedule_id))

    # -- events ---------------------------------------------------------------------------------

    def add_event(self, event: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO events (time, message_id, schedule_id, state, data) VALUES (?,?,?,?,?)",
            (event["time"], event["messageId"], event.get("scheduleId"), event["state"],
             json.dumps(event)),
        )

    def events(self, filters: dict[str, Any], cursor: str | None, count: int
               ) -> tuple[list[dict[str, Any]], str | None]:
        """Newest first; the cursor is `<time>-<seq>` of the last event returned."""
        where, args = [], []
        for column, key in (("schedule_id", "scheduleId"), ("message_id", "messageId")):
            if filters.get(key):
                where.append(f"{column} = ?")
                args.append(filters[key])
        if filters.get("url"):
            where.append("json_extract(data, '$.url') = ?")
            args.append(filters["url"])
        if filters.get("label"):
            where.append("(',' || json_extract(data, '$.label') || ',') LIKE ?")
            args.append(f"%,{filters['label']},%")
        state = filters.get("state")
        if state == "IN_PROGRESS":
            where.append(f"state IN ({','.join('?' * len(IN_PROGRESS))})")
            args.extend(IN_PROGRESS)
        elif state:
            where.append("state = ?")
            args.append(state)
        if filters.get("fromDate") is not None:
            where.append("time >= ?")
            args.append(filters["fromDate"])
        if filters.get("toDate") is not None:
            where.append("time <= ?")
            args.append(filters["toDate"])
        after = _cursor(cursor)
        if after is not None:
            where.append("(time < ? OR (time = ? AND seq < ?))")
            args.extend([after[0], after[0], after[1]])
        sql = "SELECT seq, time, data FROM events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.db.execute(sql + " ORDER BY time DESC, seq DESC LIMIT ?",
                               (*args, count + 1)).fetchall()
        events = [json.loads(r[2]) for r in rows[:count]]
        next_cursor = f"{rows[count - 1][1]}-{rows[count - 1][0]}" if len(rows) > count else None
        return events, next_cursor

    # -- DLQ --------------------------------------------------------------------------------------

    def add_dlq(self, entry: dict[str, Any]) -> None:
        self.db.execute("INSERT INTO dlq (dlq_id, schedule_id, created_ms, data) VALUES (?,?,?,?)",
                        (entry["dlqId"], entry.get("scheduleId"), entry["createdAt"],
                         json.dumps(entry)))

    def dlq(self, cursor: str | None, count: int, schedule_id: str | None = None
            ) -> tuple[list[dict[str, Any]], str | None]:
        where, args = [], []
        if schedule_id:
            where.append("schedule_id = ?")
            args.append(schedule_id)
        after = _cursor(cursor)
        if after is not None:
            where.append("seq < ?")
            args.append(after[1])
        sql = "SELECT seq, created_ms, data FROM dlq"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.db.execute(sql + " ORDER BY seq DESC LIMIT ?", (*args, count + 1)).fetchall()
        next_cursor = f"{rows[count - 1][1]}-{rows[count - 1][0]}" if len(rows) > count else None
        return [json.loads(r[2]) for r in rows[:count]], next_cursor

    def get_dlq(self, dlq_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT data FROM dlq WHERE dlq_id = ?", (dlq_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def delete_dlq(self, dlq_ids: Iterable[str]) -> int:
        return sum(self.db.execute("DELETE FROM dlq WHERE dlq_id = ?", (i,)).rowcount
                   for i in dlq_ids)


    # -- named objects: queues, URL groups ---------------------------------------------------

    def put_object(self, kind: str, name: str, data: dict[str, Any]) -> None:
        self.db.execute("INSERT OR REPLACE INTO objects (kind, name, data) VALUES (?,?,?)",
                        (kind, name, json.dumps(data)))

    def get_object(self, kind: str, name: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT data FROM objects WHERE kind = ? AND name = ?",
                              (kind, name)).fetchone()
        return json.loads(row[0]) if row else None

    def objects(self, kind: str) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT data FROM objects WHERE kind = ? ORDER BY name",
                               (kind,)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def delete_object(self, kind: str, name: str) -> bool:
        return self.db.execute("DELETE FROM objects WHERE kind = ? AND name = ?",
                               (kind, name)).rowcount > 0


def _schedule(row: tuple) -> Schedule:
    sid, cron, spec, created, paused, next_ms, last_ms, states = row
    return Schedule(sid, cron, MessageSpec.from_json(json.loads(spec)), created, bool(paused),
                    next_ms, last_ms, json.loads(states))


def _cursor(cursor: str | None) -> tuple[int, int] | None:
    if not cursor:
        return None
    time_part, _, seq_part = cursor.partition("-")
    try:
        return int(time_part), int(seq_part)
    except ValueError:
        return None

