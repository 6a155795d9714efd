"""The server's state in SQLite: schedules, events (QStash logs), the DLQ, and the messages
accepted but not yet delivered, failed or cancelled (`pending`: a delayed publish, a fired run
waiting on its delay, a retry), which the server resumes when it starts again.

Every write commits at once, so a restart or a crash loses no schedule. The server calls this from
its one event-loop thread; the statements are short, so they run inline.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import CronctlError
from .model import Message, MessageSpec, Schedule, message_from_json, message_json, spec_json

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one process per database is up to the user
    fcntl = None  # type: ignore[assignment]

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
CREATE TABLE IF NOT EXISTS dlq_specs (dlq_id TEXT PRIMARY KEY, spec TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pending (
    message_id TEXT PRIMARY KEY, data TEXT NOT NULL, retried INTEGER NOT NULL,
    due_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    kind TEXT NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, name));
"""

_SCHEDULE_COLUMNS = "id, cron, spec, created_ms, paused, next_ms, last_ms, states"
IN_PROGRESS = ("ACTIVE", "RETRY", "ERROR")


class DatabaseInUse(CronctlError):
    """Another `cronctl dev` holds the database: two would both fire every schedule."""


class Store:
    def __init__(self, path: Path | None) -> None:
        """`path=None` keeps everything in memory. A file is locked for this process (raises
        DatabaseInUse), private to its user (0600) and, in `.cronctl/`, ignored by git."""
        self._lock: int | None = None
        try:
            if path is not None:
                self._lock = _prepare(path)
            self.db = sqlite3.connect(":memory:" if path is None else str(path),
                                      check_same_thread=False, isolation_level=None)
            if path is not None:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
        except (OSError, sqlite3.Error) as exc:
            self._unlock()
            reason = getattr(exc, "strerror", None) or str(exc)
            raise CronctlError(f"cannot open the database {path}: {reason}",
                               hint="pass --db with a writable file, or --memory") from None
        except DatabaseInUse:
            raise
        except CronctlError as exc:  # a link, a folder, another user's file (fsutil's checks)
            self._unlock()
            reason = exc.message.removeprefix(f"{path}: ")
            raise CronctlError(f"cannot open the database {path}: {reason}",
                               hint=exc.hint or "pass --db with a writable file, or --memory"
                               ) from None
        self.db.executescript(_SCHEMA)
        for part in ("host", "path"):
            self.db.create_function(f"url_{part}", 1, _url_part(part), deterministic=True)

    def close(self) -> None:
        self.db.close()
        self._unlock()

    def _unlock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor releases the lock
            self._lock = None

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

    def events(self, filters: Filters, cursor: str | None, count: int
               ) -> tuple[list[dict[str, Any]], str | None]:
        """Newest first; the cursor is `<time>-<seq>` of the last event returned."""
        return self._page("events", "time", filters, cursor, count)

    def _page(self, table: str, time_column: str, filters: Filters, cursor: str | None,
              count: int) -> tuple[list[dict[str, Any]], str | None]:
        where, args = _where(filters, time_column)
        after = parse_cursor(cursor)
        if after is not None:
            where.append(f"({time_column} < ? OR ({time_column} = ? AND seq < ?))")
            args.extend([after[0], after[0], after[1]])
        sql = f"SELECT seq, {time_column}, data FROM {table}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.db.execute(sql + f" ORDER BY {time_column} DESC, seq DESC LIMIT ?",
                               (*args, count + 1)).fetchall()
        found = [json.loads(r[2]) for r in rows[:count]]
        next_cursor = f"{rows[count - 1][1]}-{rows[count - 1][0]}" if len(rows) > count else None
        return found, next_cursor

    # -- DLQ --------------------------------------------------------------------------------------

    def add_dlq(self, entry: dict[str, Any], spec: MessageSpec) -> None:
        self.db.execute("INSERT INTO dlq (dlq_id, schedule_id, created_ms, data) VALUES (?,?,?,?)",
                        (entry["dlqId"], entry.get("scheduleId"), entry["createdAt"],
                         json.dumps(entry)))
        self.db.execute("INSERT OR REPLACE INTO dlq_specs (dlq_id, spec) VALUES (?,?)",
                        (entry["dlqId"], json.dumps(spec_json(spec))))

    def dlq_spec(self, dlq_id: str) -> MessageSpec | None:
        """The settings of a dead message, to publish it again."""
        row = self.db.execute("SELECT spec FROM dlq_specs WHERE dlq_id = ?",
                              (dlq_id,)).fetchone()
        return MessageSpec.from_json(json.loads(row[0])) if row else None

    def dlq(self, filters: Filters, cursor: str | None, count: int
            ) -> tuple[list[dict[str, Any]], str | None]:
        return self._page("dlq", "created_ms", filters, cursor, count)

    def get_dlq(self, dlq_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT data FROM dlq WHERE dlq_id = ?", (dlq_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def delete_dlq(self, dlq_ids: Iterable[str]) -> int:
        deleted = 0
        for dlq_id in dlq_ids:
            deleted += self.db.execute("DELETE FROM dlq WHERE dlq_id = ?", (dlq_id,)).rowcount
            self.db.execute("DELETE FROM dlq_specs WHERE dlq_id = ?", (dlq_id,))
        return deleted


    # -- accepted, not yet done ------------------------------------------------------------------

    def put_pending(self, message: Message, retried: int, due_ms: int) -> None:
        """Kept (committed at once) until `done`: a restart, even after a crash, resumes it."""
        self.db.execute("INSERT OR REPLACE INTO pending (message_id, data, retried, due_ms) "
                        "VALUES (?,?,?,?)", (message.message_id,
                                             json.dumps(message_json(message)), retried, due_ms))

    def retry_pending(self, message_id: str, retried: int, due_ms: int) -> None:
        self.db.execute("UPDATE pending SET retried = ?, due_ms = ? WHERE message_id = ?",
                        (retried, due_ms, message_id))

    def done_pending(self, message_id: str) -> None:
        self.db.execute("DELETE FROM pending WHERE message_id = ?", (message_id,))

    def pending_messages(self) -> list[tuple[Message, int, int]]:
        """(message, retries so far, when the next attempt is due), oldest due first."""
        rows = self.db.execute("SELECT data, retried, due_ms FROM pending "
                               "ORDER BY due_ms, message_id").fetchall()
        return [(message_from_json(json.loads(data)), retried, due)
                for data, retried, due in rows]

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


PRIVATE = 0o600
CRONCTL_FOLDER = ".cronctl"


def _prepare(path: Path) -> int:
    """Create the folder and the files private, take the lock; the lock's descriptor. No
    link is followed (a committed `.cronctl/dev.sqlite3` link would write elsewhere)."""
    from ..fsutil import open_nofollow, private_file, private_folder

    folder = path.parent
    if folder.name == CRONCTL_FOLDER:  # cronctl's own folder: private, kept out of git
        private_folder(folder, ignore_note="cronctl dev's local state")
    else:
        folder.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    fd = open_nofollow(lock_path, os.O_RDWR | os.O_CREAT, PRIVATE)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        owner = os.pread(fd, 32, 0).decode(errors="replace").strip()
        os.close(fd)
        raise DatabaseInUse(
            f"another cronctl dev{f' (pid {owner})' if owner else ''} is already using {path}",
            hint="stop it, or give this one its own state with --db <file> or --memory") \
            from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        os.fchmod(fd, PRIVATE)
        private_file(path)
        for suffix in ("-wal", "-shm", "-journal"):
            private_file(folder / (path.name + suffix), create=False)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _schedule(row: tuple) -> Schedule:
    sid, cron, spec, created, paused, next_ms, last_ms, states = row
    return Schedule(sid, cron, MessageSpec.from_json(json.loads(spec)), created, bool(paused),
                    next_ms, last_ms, json.loads(states))


class BadCursor(ValueError):
    pass


_CURSOR_LIMIT = 2**62


def parse_cursor(cursor: str | None) -> tuple[int, int] | None:
    """`<time>-<seq>` as this store answers, or a bare time in ms (what a JS SDK example
    passes); BadCursor for anything else."""
    if not cursor:
        return None
    time_part, dash, seq_part = cursor.partition("-")
    try:
        at = int(time_part)
        seq = int(seq_part) if dash else _CURSOR_LIMIT
    except ValueError:
        raise BadCursor(f"invalid cursor {cursor!r}") from None
    if not (0 <= at <= _CURSOR_LIMIT and 0 <= seq <= _CURSOR_LIMIT):
        raise BadCursor(f"invalid cursor {cursor!r}: out of range")
    if not dash:
        at += 1  # everything at or before that time
    return at, seq


# Filters: query parameter -> its values (a repeated parameter is OR-ed).
Filters = dict[str, list[Any]]
_FIELDS = {"scheduleId": "$.scheduleId", "messageId": "$.messageId", "messageIds": "$.messageId",
           "url": "$.url", "topicName": "$.topicName", "queueName": "$.queueName",
           "flowControlKey": "$.flowControlKey", "callerIp": "$.callerIp",
           "responseStatus": "$.responseStatus", "endpointName": "$.endpointName"}


def _where(filters: Filters, time_column: str) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    args: list[Any] = []

    def any_of(expr: str, values: list[Any]) -> None:
        where.append(f"{expr} IN ({','.join('?' * len(values))})")
        args.extend(values)

    for name, values in filters.items():
        values = [v for v in values if v is not None and v != ""]
        if not values:
            continue
        if name in _FIELDS:
            any_of(f"json_extract(data, '{_FIELDS[name]}')", values)
        elif name == "state":
            states = [x for v in values for x in (IN_PROGRESS if v == "IN_PROGRESS" else (v,))]
            any_of("json_extract(data, '$.state')", states)
        elif name == "label":
            marks = ",".join("?" * len(values))
            where.append("(EXISTS (SELECT 1 FROM json_each(data, '$.labels') "
                         f"WHERE value IN ({marks})) OR json_extract(data, '$.label') "
                         f"IN ({marks}))")
            args.extend([*values, *values])
        elif name in ("host", "path"):
            any_of(f"url_{name}(json_extract(data, '$.url'))", values)
        elif name == "fromDate":
            where.append(f"{time_column} >= ?")
            args.append(values[0])
        elif name == "toDate":
            where.append(f"{time_column} <= ?")
            args.append(values[0])
    return where, args


def _url_part(part: str):
    def get(url: str | None) -> str | None:
        if not url:
            return None
        try:
            parts = urlsplit(url)
            return parts.hostname if part == "host" else (parts.path or "/")
        except ValueError:
            return None
    return get

