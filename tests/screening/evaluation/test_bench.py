"""The bench's memory probe: the process tree's resident memory, a worker process's included (the batch
screen's workers hold their own index and chunks)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from screening.evaluation.bench import PeakRss, _tree_rss_mb


def _own_rss_mb() -> float:
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def test_the_memory_probe_counts_a_child_process() -> None:
    holder = "b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096]); print('ready', flush=True); input()"
    child = subprocess.Popen([sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        with PeakRss() as peak:
            tree = _tree_rss_mb(os.getpid())
        assert tree >= _own_rss_mb() + 290  # this process and the child's 300 MiB, touched
        assert peak.peak_mb >= _own_rss_mb() + 290
    finally:
        child.communicate("\n", timeout=30)
