"""Summarise JUnit XML reports of the SDK suites: pass/fail/skip counts and each failure's reason.

Usage: python scripts/sdk_report.py NAME=report.xml [NAME=report.xml ...]
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET


def summarise(name: str, path: str) -> None:
    root = ET.parse(path).getroot()
    cases = root.iter("testcase")
    passed, failed, skipped = 0, [], 0
    for case in cases:
        label = f"{case.get('classname', '')}::{case.get('name', '')}".strip(":")
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            reason = (problem.get("message") or problem.text or "").strip().splitlines()
            failed.append((label, reason[0][:200] if reason else "?"))
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    print(f"== {name}: {passed} passed, {len(failed)} failed, {skipped} skipped")
    for label, reason in failed:
        print(f"  FAIL {label}\n       {reason}")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        name, _, path = arg.partition("=")
        summarise(name, path)
