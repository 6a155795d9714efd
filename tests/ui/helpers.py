"""Small readers of the dashboard's HTML, for the HTTP-level tests."""

from __future__ import annotations

import html
import re


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, name
    return html.unescape(found.group(1))


def by_id(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', page, re.S)
    assert found, (element_id, page[:2000])
    return html.unescape(found.group(1)).strip()


def plan_of(page: str) -> str:
    """The plan as the page shows it (its tables and diffs), as text."""
    found = re.search(r'<div class="plan" id="plan">(.*?)<details class="md">', page, re.S)
    assert found, page[:2000]
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1)))
