"""Run coroutines together so that a failure cancels, and awaits, all the others.

`asyncio.gather` lets the siblings of a failed task run on, and an exception in one of them is
then reported as "Task exception was never retrieved" with a traceback. Here every task is
cancelled and awaited, and the first error is raised as itself (not as an ExceptionGroup), so
the one error handler prints one clean message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any


async def gather_all(*aws: Awaitable[Any]) -> list[Any]:
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(_wrap(aw)) for aw in aws]
    except BaseExceptionGroup as eg:
        raise _first(eg) from None
    return [t.result() for t in tasks]


async def _wrap(aw: Awaitable[Any]) -> Any:
    return await aw


def _first(eg: BaseExceptionGroup) -> BaseException:
    exc: BaseException = eg
    while isinstance(exc, BaseExceptionGroup):
        exc = exc.exceptions[0]
    return exc
