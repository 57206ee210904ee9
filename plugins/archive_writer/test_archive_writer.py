"""The writer plugin alone, on a tiny site with Pelican's own theme."""

from __future__ import annotations

import json
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


def _build(content: Path, output: Path, **extra) -> dict[str, list]:
    """Build; returns what the writer's signals carried."""
    sent = {"article pages": [], "output files": []}

    def pages(writer, **kwargs):
        sent["article pages"].append(kwargs)

    def files(writer, **kwargs):
        sent["output files"].append(kwargs)

    archive_writer.article_pages_written.connect(pages)
    archive_writer.output_files.connect(files)
    try:
        Pelican(_settings(content, output, **extra)).run()
    finally:
        archive_writer.article_pages_written.disconnect(pages)
        archive_writer.output_files.disconnect(files)
    return sent


@pytest.fixture()
def content(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(TEST_DATA / "content", target)
    return target


def test_pages_are_written_and_the_build_is_told_once(content, tmp_path):
    sent = _build(content, tmp_path / "out")
    # Pelican's own reader gives no source hashes: no page is an archive article page
    assert sent["article pages"] == [{"pages": {}}]
    (told,) = sent["output files"]
    written = {p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.html")}
    assert written <= told["produced"] and written <= told["changed"]
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


def test_a_second_build_replaces_changed_files_and_keeps_the_others(content, tmp_path):
    """The output folder may share its files with the live site: a changed
    file is a new file, never the old one edited; an unchanged one keeps
    its identity."""
    out = tmp_path / "out"
    _build(content, out)
    shared = tmp_path / "live"  # what the live site would hold: the same inodes
    shared.mkdir()
    before = {}
    for page in out.glob("*.html"):
        os.link(page, shared / page.name)
        before[page.name] = page.read_bytes()
    (content / "second.md").write_text(
        "Title: 第二篇\nDate: 2024-03-02\n\n园区一期工程已经投产。\n", encoding="utf-8")
    sent = _build(content, out)
    changed = {p for p in sent["output files"][0]["changed"] if p.endswith(".html")}
    assert changed and len(changed) < len(before)
    for page in out.glob("*.html"):
        same_file = os.path.samefile(page, shared / page.name)
        assert same_file == (page.name not in changed), page.name
        assert (shared / page.name).read_bytes() == before[page.name]  # never edited in place


def test_a_page_whose_key_is_unchanged_is_not_rendered(tmp_path):
    """Unit test of the keys: the same key keeps the file (even one that
    would now render differently), a new key renders it."""
    from jinja2 import Template

    out = tmp_path / "out"
    settings = read_settings(override={"OUTPUT_PATH": str(out), "THEME": str(TEST_DATA)})

    def run(text: str, key: str) -> str:
        writer = archive_writer.ArchiveWriter(str(out), settings)
        writer.write_file("page/index.html", Template(text), {}, render_key=key)
        writer.flush()
        writer.finish()
        return (out / "page" / "index.html").read_text(encoding="utf-8")

    assert run("first", "k1") == "first"
    assert run("second", "k1") == "first"  # inputs unchanged: not rendered
    assert run("second", "k2") == "second"
    (out / "page" / "index.html").unlink()
    assert run("third", "k2") == "third"  # a missing file is rendered whatever the key
    settings["ARCHIVE_EXAMPLE"] = "another site"  # a plain setting: part of the site key
    assert run("fourth", "k2") == "fourth"  # same page key, another site key: rendered
    state = out / archive_writer.PAGE_KEYS_FILE
    state.write_text(json.dumps({"site": archive_writer.site_key(settings), "pages": ["damaged"]}),
                     encoding="utf-8")
    assert run("fifth", "k2") == "fifth"  # a damaged state file: rendered, no crash


def test_a_kept_page_keeps_every_file_it_wrote(tmp_path):
    """A page whose last render wrote more files than its name (a paginated
    list) is kept only while all of them are there, and keeps them all."""
    from jinja2 import Template

    out = tmp_path / "out"
    settings = read_settings(override={"OUTPUT_PATH": str(out), "THEME": str(TEST_DATA)})
    for rel in ("page/index.html", "page/2/index.html"):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text("old", encoding="utf-8")
    record = ["k", "page/index.html", "page/2/index.html"]

    def run() -> archive_writer.ArchiveWriter:
        writer = archive_writer.ArchiveWriter(str(out), settings)
        writer.previous = {"page/index.html": record}
        writer.write_file("page/index.html", Template("new"), {}, render_key="k")
        writer.flush()
        writer.finish()
        return writer

    writer = run()
    assert (out / "page" / "index.html").read_text(encoding="utf-8") == "old"
    assert writer.page_keys["page/index.html"] == record
    assert {str(out / "page" / "2" / "index.html")} <= archive_writer.written_files(writer)
    assert archive_writer.ArchiveWriter(str(out), settings).previous["page/index.html"] == record
    (out / "page" / "2" / "index.html").unlink()
    writer = run()
    assert (out / "page" / "index.html").read_text(encoding="utf-8") == "new"
    assert writer.page_keys["page/index.html"] == "k"  # now it wrote its name only


@pytest.mark.parametrize("parallel", [False, True])
def test_every_page_is_announced_once_rendered_or_kept(tmp_path, monkeypatch, parallel):
    """pages_announced carries every page once (the sitemap reads it), and
    a plugin listening to Pelican's content_written hears each page once,
    whether it was rendered here, in a worker, or kept from the last build."""
    from jinja2 import Template
    from pelican import signals

    if parallel:
        monkeypatch.setattr(archive_writer, "PARALLEL_MIN_PAGES", 0)
    out = tmp_path / "out"
    settings = read_settings(override={"OUTPUT_PATH": str(out), "THEME": str(TEST_DATA)})
    heard, announced = [], []

    def on_written(path, context=None, **_):
        heard.append(os.path.relpath(path, out))

    def on_announced(_writer, pages=(), **_):
        announced.append(sorted(os.path.relpath(path, out) for path, _context in pages))

    signals.content_written.connect(on_written)
    archive_writer.pages_announced.connect(on_announced)
    try:
        for texts in (("a", "b", "c"), ("a", "B", "c")):  # the second build keeps a and c
            heard.clear()
            writer = archive_writer.ArchiveWriter(str(out), settings)
            for name, text in zip(("one", "two", "three"), texts, strict=True):
                writer.write_file(f"{name}/index.html", Template(text), {}, render_key=text)
            writer.flush()
            writer.finish()
            assert sorted(heard) == ["one/index.html", "three/index.html", "two/index.html"]
    finally:
        signals.content_written.disconnect(on_written)
        archive_writer.pages_announced.disconnect(on_announced)
    assert announced == [["one/index.html", "three/index.html", "two/index.html"]] * 2
    assert (out / "two" / "index.html").read_text(encoding="utf-8") == "B"


def test_the_writer_times_its_feeds_and_nothing_else(tmp_path):
    """feed_seconds (the build benchmark's feeds phase) grows in write_feed,
    also for a feed kept from the last build, and not for queued pages."""
    from jinja2 import Template

    out = tmp_path / "out"
    (out / "feeds").mkdir(parents=True)
    (out / "feeds" / "a.atom.xml").write_text("<feed/>", encoding="utf-8")
    settings = read_settings(override={"OUTPUT_PATH": str(out), "THEME": str(TEST_DATA)})
    writer = archive_writer.ArchiveWriter(str(out), settings)
    writer.previous = {"feeds/a.atom.xml": "k"}
    writer.write_file("page/index.html", Template("x"), {}, render_key="p")
    assert writer.feed_seconds == 0.0
    assert writer.write_feed([], {}, "feeds/a.atom.xml", "feeds/a.atom.xml", render_key="k") is None
    assert writer.feed_seconds > 0.0
