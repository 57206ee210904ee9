"""The live output is never written: a failed, killed or concurrent build
leaves the last good site whole (sitebuild/generations.py)."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sitebuild.build import build_site
from sitebuild.generations import OutputError
from tests.helpers import record_calls, tree_digest
from tests.test_incremental import _edit

ROOT = Path(__file__).resolve().parent.parent


def test_the_live_output_is_never_written(content_copy, tmp_path):
    output = tmp_path / "output"
    build_site(content_copy, output, search=True)
    snapshot = tmp_path / "snapshot"  # the live files themselves (same inodes)
    before = {}
    for path in output.rglob("*"):
        if path.is_file():
            rel = path.relative_to(output)
            (snapshot / rel).parent.mkdir(parents=True, exist_ok=True)
            os.link(path, snapshot / rel)
            before[rel] = path.read_bytes()
    _edit(content_copy)
    build_site(content_copy, output, search=True)
    assert tree_digest(output) != tree_digest(snapshot)
    for rel, data in before.items():
        assert (snapshot / rel).read_bytes() == data, rel  # no live file was edited
    # the old generation is the standby now, whole
    assert tree_digest(tmp_path / ".output.standby") == tree_digest(snapshot)


def test_a_second_build_at_once_is_refused(content_copy, tmp_path):
    output = tmp_path / "output"
    build_site(content_copy, output, search=False)
    before = tree_digest(output)
    with open(tmp_path / ".output.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(OutputError, match="另一个构建正在写这个输出目录"):
            build_site(content_copy, output, search=False)
    assert tree_digest(output) == before


def test_work_folders_of_killed_builds_are_removed(content_copy, tmp_path):
    for name in (".output.build-4242", ".output.old-17", ".output.fresh"):
        (tmp_path / name / "2024").mkdir(parents=True)
    build_site(content_copy, tmp_path / "output", search=False)
    left = sorted(p.name for p in tmp_path.iterdir() if "output" in p.name)
    assert left == [".output.lock", ".output.standby", "output"]


def test_a_failed_build_leaves_a_standby_the_next_build_does_not_trust(content_copy, tmp_path, monkeypatch):
    import fileutil

    output = tmp_path / "output"
    build_site(content_copy, output, search=False)
    good = tree_digest(output)
    _edit(content_copy)
    calls = {"n": 0}
    real = fileutil.replace_if_changed

    def failing(path, data):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr("plugins.archive_writer.replace_if_changed", failing)
    with pytest.raises(OSError, match="No space left"):
        build_site(content_copy, output, search=False)
    assert tree_digest(output) == good
    assert (tmp_path / ".output.standby" / ".archive-state" / "dirty").exists()
    monkeypatch.undo()
    build_site(content_copy, output, search=False)
    clean = tmp_path / "clean"
    build_site(content_copy, clean, search=False, overrides={"CACHE_PATH": str(tmp_path / "fresh")})
    assert tree_digest(output) == tree_digest(clean)


# A build in a child process that SIGKILLs itself on the N-th call of one
# function: the moments a crash, Ctrl-C or an out-of-memory kill can hit.
KILLER = textwrap.dedent("""
    import importlib, os, signal, sys
    sys.path.insert(0, {root!r})
    module_name, attribute, nth = sys.argv[1], sys.argv[2], int(sys.argv[3])
    owner_name, _, function_name = attribute.rpartition(".")
    module = importlib.import_module(module_name)
    owner = getattr(module, owner_name) if owner_name else module
    real = getattr(owner, function_name)
    calls = [0]
    def dying(*args, **kwargs):
        calls[0] += 1
        if calls[0] >= nth:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    setattr(owner, function_name, dying)
    from sitebuild.build import build_site
    build_site(sys.argv[4], sys.argv[5], search=True)
""")

KILL_POINTS = [
    ("sitebuild.generations", "link_or_copy", 2),          # bringing the standby up to date
    ("plugins.archive_writer", "replace_if_changed", 1),   # the first page written
    ("plugins.archive_writer", "replace_if_changed", 30),  # pages half written
    ("search.write", "replace_if_changed", 3),             # the index (in its child) half written
    ("sitebuild.build", "_SearchIndexer.result", 1),       # waiting for the index
    ("sitebuild.generations", "OutputGenerations.remove_unproduced", 1),
    ("sitebuild.generations", "exchange", 1),              # just before the swap
    ("sitebuild.generations", "OutputGenerations.release", 1),  # just after it
]


@pytest.mark.slow
def test_a_build_killed_at_any_point_leaves_the_old_or_the_new_site(content_copy, tmp_path):
    output = tmp_path / "output"
    build_site(content_copy, output, search=True)
    about = content_copy / "pages" / "about.md"  # a second generation: the standby is one behind
    about.write_text(about.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    build_site(content_copy, output, search=True)
    old = tree_digest(output)
    _edit(content_copy)
    new_site = tmp_path / "new"
    build_site(content_copy, new_site, search=True, overrides={"CACHE_PATH": str(tmp_path / "c1")})
    new = tree_digest(new_site)
    script = KILLER.format(root=str(ROOT))
    outcomes = []
    for module, attribute, nth in KILL_POINTS:
        run = subprocess.run([sys.executable, "-c", script, module, attribute, str(nth),
                              str(content_copy), str(output)], capture_output=True, text=True)
        # killed there (the index's own child: the build then fails, naming it)
        expected = 1 if module == "search.write" else -9
        assert run.returncode == expected, (attribute, run.returncode, run.stderr[-2000:])
        now = tree_digest(output)
        assert now in (old, new), attribute
        outcomes.append("new" if now == new else "old")
    # every point before the swap left the old site, the one after it the new
    assert outcomes == ["old"] * 7 + ["new"]
    build_site(content_copy, output, search=True)  # a normal build afterwards is whole
    assert tree_digest(output) == new


def test_a_page_deleted_by_hand_from_the_output_is_back_after_the_next_build(content_copy, tmp_path):
    """Once from the standby the build keeps (it holds the file the live
    output lost), once when the standby is made again from the live output
    (a dirty standby): then the missing page is rendered."""
    output = tmp_path / "output"
    build_site(content_copy, output, search=False)
    build_site(content_copy, output, search=False)  # a standby of the same generation
    good = tree_digest(output)
    lost = sorted(p for p in good if p.endswith("index.html") and p.count("/") == 3)[0]
    (output / lost).unlink()
    build_site(content_copy, output, search=False)
    assert tree_digest(output) == good
    (output / lost).unlink()
    (tmp_path / ".output.standby" / ".archive-state" / "dirty").touch()
    build_site(content_copy, output, search=False)
    assert tree_digest(output) == good


def test_kept_pages_are_not_looked_for_when_the_standby_matches_its_record(content_copy, tmp_path,
                                                                            monkeypatch):
    """A standby brought up to the live generation from its record holds
    every file the record names: the writer takes the record instead of a
    stat per kept page; a standby copied from the live folder is looked at."""
    import plugins.archive_writer as writer_module

    output = tmp_path / "output"
    build_site(content_copy, output, search=False)
    build_site(content_copy, output, search=False)
    looked = record_calls(monkeypatch, writer_module, "existing_files", len)
    build_site(content_copy, output, search=False)
    assert looked == []
    (tmp_path / ".output.standby" / ".archive-state" / "dirty").touch()
    build_site(content_copy, output, search=False)
    assert looked and max(looked) > 20


def test_a_standby_one_behind_is_brought_up_to_the_live_generation(content_copy, tmp_path):
    """The standby holds the generation before the live one; a build first
    brings it up to the live one from the live record (its files and the
    record itself), then writes there."""
    from sitebuild.generations import GENERATION_FILE, Generation, OutputGenerations

    output = tmp_path / "output"
    build_site(content_copy, output, search=False)
    _edit(content_copy)
    build_site(content_copy, output, search=False)
    standby = tmp_path / ".output.standby"
    assert Generation.read(standby).number == Generation.read(output).number - 1
    generations = OutputGenerations(output)
    generations.acquire()
    try:
        assert generations.prepare() == standby
        assert Generation.read(standby) == Generation.read(output)
        assert (standby / GENERATION_FILE).read_bytes() == (output / GENERATION_FILE).read_bytes()
        assert tree_digest(standby) == tree_digest(output)
    finally:
        generations.release()
