"""The memory sampler of the build benchmark (benchmarks/measure.py)."""

from __future__ import annotations

import subprocess
import sys
import time

from benchmarks.measure import TreeSampler

# a child that starts a grandchild holding about 80 MB for a second, then waits
CHILD = """
import subprocess, sys, time
subprocess.run([sys.executable, "-c", "b = bytearray(80_000_000); import time; time.sleep(1.5)"])
time.sleep(1.5)
"""


def test_an_ended_process_keeps_its_peak_and_is_no_longer_read():
    proc = subprocess.Popen([sys.executable, "-c", CHILD])
    with TreeSampler(proc.pid, interval=0.05, rescan=0.2, pss_interval=0.5) as sampler:
        time.sleep(1.2)
        seen_while_running = len(sampler.known)
        proc.wait()
        time.sleep(0.3)
    assert seen_while_running >= 2  # the child and its grandchild
    assert sampler.peak_mb(exclude_root=True) >= 75  # the grandchild's 80 MB
    assert list(sampler.known) == [proc.pid]  # the ended grandchild is dropped, the root kept
