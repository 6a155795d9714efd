"""A replica that was stopped (SIGSTOP, a long GC pause, a cut network) past its lease, and
whose run then ends: the ledger keeps `abandoned` (another replica recorded it), and the logs
and metrics agree with it; each abandoned run is logged once (issue 30, suspected)."""

from __future__ import annotations

import logging
import sys

from .conftest import runner_file


def test_logs_and_ledger_agree_on_an_abandoned_run(tmp_path, clock, make_runner, caplog):
    marker = tmp_path / "go"
    wait = f"import os, time\\nwhile not os.path.exists({str(marker)!r}): time.sleep(0.05)"
    path = runner_file(tmp_path, f"""
        hourly:
          target: runner
          command: ["{sys.executable}", "-c", "{wait}"]
          schedule: "0 * * * *"
    """)
    db = str(tmp_path / "shared.sqlite3")
    stopped = make_runner(path, db=db, replica="stopped")
    clock.advance(3570)  # 11:00:00
    [row] = stopped.tick()
    clock.advance(31)  # its lease (30 s) ran out: it did not renew it (stopped)
    caplog.set_level(logging.INFO, logger="cronctl.runner")
    other = make_runner(path, db=db, replica="other")
    other.tick()
    assert other.ledger.get(row.run_id).outcome == "abandoned"
    marker.write_text("")  # continued: its command ends well
    stopped.wait_idle()
    assert stopped.ledger.get(row.run_id).outcome == "abandoned"  # the ledger's record stands
    lines = [r.getMessage() for r in caplog.records if row.run_id in r.getMessage()]
    assert sum(" abandoned" in x and "stopped renewing" in x for x in lines) == 1, lines
    assert not any(x.startswith(f"run {row.run_id} succeeded") for x in lines), lines
    assert any("abandoned" in x and "ended" in x for x in lines if "stopped renewing" not in x)
    assert ("hourly", "succeeded") not in stopped.metrics.runs
