"""The writer plugin alone, on a tiny site with Pelican's own theme."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from pelican import Pelican
from pelican.settings import read_settings
from pelican.writers import FileOverwriteFailedError

from plugins import archive_writer

TEST_DATA = Path(__file__).resolve().parent / "test_data"


def _settings(content: Path, output: Path, **extra):
    return read_settings(override={
        "PATH": str(content), "OUTPUT_PATH": str(output), "CACHE_CONTENT": False,
        "PLUGINS": ["plugins.archive_writer"], "PLUGIN_PATHS": [],
        "TIMEZONE": "Asia/Shanghai", "FEED_ALL_ATOM": None, "CATEGORY_FEED_ATOM": None,
        "AUTHOR_FEED_ATOM": None, "AUTHOR_FEED_RSS": None, "TRANSLATION_FEED_ATOM": None,
        "DELETE_OUTPUT_DIRECTORY": False, **extra})


def _build(content: Path, output: Path, **extra) -> list[dict]:
    """Build; returns what each ``article_pages_written`` signal carried."""
    sent = []

    def record(writer, **kwargs):
        sent.append(kwargs)

    archive_writer.article_pages_written.connect(record)
    try:
        Pelican(_settings(content, output, **extra)).run()
    finally:
        archive_writer.article_pages_written.disconnect(record)
    return sent


@pytest.fixture()
def content(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(TEST_DATA / "content", target)
    return target


def test_pages_are_written_and_the_build_is_told_once(content, tmp_path):
    sent = _build(content, tmp_path / "out")
    assert sent == [{"carried": []}]
    pages = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "out").glob("*.html")}
    for body in ("港口开通新航线。", "园区完成一期工程。", "海铁联运班列加密。"):
        assert sum(body in page for page in pages.values()) >= 2  # its page and the index


@pytest.mark.parametrize("parallel", [False, True])
def test_one_file_written_twice_fails_naming_both_sources(content, tmp_path, monkeypatch, parallel):
    if parallel:
        monkeypatch.setattr(archive_writer, "PARALLEL_MIN_PAGES", 0)
    for name in ("first.md", "third.md"):
        path = content / name
        path.write_text(path.read_text(encoding="utf-8").replace(
            "\n\n", "\nSave_as: clash.html\n\n", 1), encoding="utf-8")
    with pytest.raises(FileOverwriteFailedError) as caught:
        _build(content, tmp_path / "out")
    message = str(caught.value)
    assert message.startswith("clash.html: ")
    assert "first.md" in message and "third.md" in message
    assert isinstance(caught.value, archive_writer.ArchiveError)  # a message, not a traceback


def test_unchanged_files_are_linked_from_the_previous_output(content, tmp_path):
    first = tmp_path / "first"
    _build(content, first)
    (content / "second.md").write_text(
        "Title: 第二篇\nDate: 2024-03-02\n\n园区一期工程已经投产。\n", encoding="utf-8")
    second = tmp_path / "second"
    _build(content, second, ARCHIVE_PREVIOUS_OUTPUT=str(first))
    unchanged = [p for p in second.rglob("*.html")
                 if (first / p.relative_to(second)).read_bytes() == p.read_bytes()]
    changed = [p for p in second.rglob("*.html") if p not in unchanged]
    assert unchanged and changed
    for page in unchanged:
        assert os.path.samefile(page, first / page.relative_to(second))
    for page in changed:
        assert not os.path.samefile(page, first / page.relative_to(second))


def test_carried_pages_are_named_not_written(content, tmp_path):
    first = tmp_path / "first"
    _build(content, first)
    second = tmp_path / "second"
    # without source hashes (the archive's reader adds them) no article page
    # has a render key, so none can be carried: the signal says so
    sent = _build(content, second, ARCHIVE_PREVIOUS_OUTPUT=str(first), ARCHIVE_CARRY_OVER=True)
    assert sent == [{"carried": []}]
    assert len(list(second.glob("*.html"))) == len(list(first.glob("*.html")))
