"""The store's clock is UTC on a machine in any zone (officers' machines are in Asia/Shanghai)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import datetime as dt, sys
from screening.store import connect
con = connect(sys.argv[1])
naive, aware, zone = con.execute("SELECT now()::TIMESTAMP, now(), current_setting('TimeZone')").fetchall()[0]
utc = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
print(zone, round(abs((naive - utc).total_seconds())), aware.utcoffset().total_seconds())
"""


def test_naive_timestamps_are_utc_on_a_shanghai_machine(tmp_path: Path) -> None:
    # a fresh process: the zone is read when DuckDB starts
    env = {**os.environ, "TZ": "Asia/Shanghai", "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "s.duckdb")], env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    zone, off_by, offset = done.stdout.split()
    assert zone == "UTC" and int(off_by) < 60 and float(offset) == 0.0
