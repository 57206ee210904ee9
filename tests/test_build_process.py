"""A process that builds once and exits (``invoke build``, the benchmark's
child) collects no cycles after the build: the collector stays off and the
build's objects are frozen at exit, not walked again."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_SCRIPT = textwrap.dedent("""
    import atexit, gc, sys
    from sitebuild.build import build_once_then_exit, build_site
    # runs after the handlers registered later (atexit is last in, first out)
    atexit.register(lambda: print("frozen at exit", gc.get_freeze_count() > 0))
    if sys.argv[2] == "once":
        build_once_then_exit()
    build_site("content", sys.argv[1])
    print("collector on after the build", gc.isenabled())
""")


def _build(tmp_path, mode: str) -> str:
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(tmp_path / mode), mode], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_build_once_process_keeps_the_collector_off_and_freezes_at_exit(tmp_path):
    out = _build(tmp_path, "once")
    assert "collector on after the build False" in out
    assert "frozen at exit True" in out


def test_a_process_that_builds_again_gets_its_collector_back(tmp_path):
    out = _build(tmp_path, "again")
    assert "collector on after the build True" in out
    assert "frozen at exit False" in out
