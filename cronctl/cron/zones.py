"""Time zones by IANA name, loaded the way the providers load them."""

from __future__ import annotations

import os
from functools import lru_cache
from zoneinfo import TZPATH, ZoneInfo, ZoneInfoNotFoundError

UTC_ZONE = ZoneInfo("UTC")


@lru_cache(maxsize=1024)
def zone(name: str | None) -> ZoneInfo:
    """The zone for an IANA name (None and "UTC" are UTC); ValueError for an unknown one."""
    if not name or name == "UTC":
        return UTC_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown timezone {name!r}") from exc


def is_valid_zone(name: str) -> bool:
    try:
        zone(name)
    except ValueError:
        return False
    return True


def load_location(name: str) -> ZoneInfo:
    """Go's time.LoadLocation: "" and "UTC" are UTC, "Local" the server's zone (UTC on the
    providers' servers, by assumption), '..' or a leading slash refused, else the tz database."""
    if name in ("", "UTC", "Local"):
        return UTC_ZONE
    if ".." in name or name[0] in "/\\":
        raise ValueError("time: invalid location name")
    try:
        return zone(name)
    except ValueError:
        pass
    found = _zone_file(name)  # Go opens the file: "Europe//Berlin" and "./UTC" load too
    if found is None:
        raise ValueError(f"unknown time zone {name}")
    return found


@lru_cache(maxsize=64)
def _zone_file(name: str) -> ZoneInfo | None:
    for folder in TZPATH:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            try:
                with open(path, "rb") as fh:
                    return ZoneInfo.from_file(fh, key=name)
            except (ValueError, OSError):
                return None
    return None
