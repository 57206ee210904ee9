"""Reading and rendering on all cores gives exactly the serial output."""

from __future__ import annotations

import multiprocessing
import re

import pytest

from plugins import archive_content, archive_writer
from sitebuild.build import build_site
from tests.helpers import sitemap_entries, tree_digest
from yingkou_archive.synthetic import generate_archive


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    content = tmp_path_factory.mktemp("synthetic") / "content"
    generate_archive(content, 240, seed=3)
    return content


def _build(content, output, cache, monkeypatch, parallel):
    threshold = 0 if parallel else 10**9
    monkeypatch.setattr(archive_content, "PARALLEL_MIN_FILES", threshold)
    monkeypatch.setattr(archive_writer, "PARALLEL_MIN_PAGES", threshold)
    pools = []

    def counting(method):
        pools.append(method)
        return multiprocessing.get_context(method)

    monkeypatch.setattr(archive_content, "get_context", counting)
    monkeypatch.setattr(archive_writer, "get_context", counting)
    build_site(content, output, search=False, overrides={"CACHE_PATH": str(cache)})
    return pools


def test_parallel_build_equals_serial_build(synthetic, tmp_path, monkeypatch):
    assert _build(synthetic, tmp_path / "serial", tmp_path / "c1", monkeypatch, False) == []
    pools = _build(synthetic, tmp_path / "parallel", tmp_path / "c2", monkeypatch, True)
    # reading, then rendering article pages and list pages, all forked
    assert pools == ["fork", "fork", "fork"]
    assert tree_digest(tmp_path / "parallel") == tree_digest(tmp_path / "serial")
    # pages rendered by the workers are still announced: the sitemap has them all
    locs = sitemap_entries(tmp_path / "parallel")
    articles = len(list((synthetic / "articles").rglob("*.md")))
    assert len([loc for loc in locs if re.search(r"/\d{4}/\d\d/[^/]+/$", loc)]) == articles


def test_urls_formatted_once_are_pelicans_urls():
    """format_url_once gives the URL and file name Pelican would format,
    and leaves what it cannot format the same way to Pelican."""
    from types import SimpleNamespace

    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG
    from pelican.utils import SafeDatetime

    settings = {**DEFAULT_CONFIG, "ARTICLE_URL": "{date:%Y}/{date:%m}/{slug}/",
                "ARTICLE_SAVE_AS": "{date:%Y}/{date:%m}/{slug}/index.html"}
    generator = SimpleNamespace(settings=settings)
    metadata = {"title": "港口", "slug": "gangkou-a", "date": SafeDatetime(2024, 5, 9, 8, 30)}
    formatted = dict(metadata)
    archive_content.format_url_once(generator, formatted)
    pelicans = Article("x", metadata=dict(metadata), settings=settings)
    assert (formatted["url"], formatted["save_as"]) == (pelicans.url, pelicans.save_as)
    assert formatted["url"] == "2024/05/gangkou-a/"

    draft = {**metadata, "status": "draft"}
    archive_content.format_url_once(generator, draft)
    by_category = {**metadata}
    archive_content.format_url_once(
        SimpleNamespace(settings={**settings, "ARTICLE_URL": "{category}/{slug}/"}), by_category)
    assert "url" not in draft and "url" not in by_category


def test_each_source_is_hashed_once_per_build(synthetic, tmp_path, monkeypatch):
    """Pelican's caches hash a file up to four times a build; the plugin
    shares one hash per file (cold and warm reader cache)."""
    import hashlib
    from types import SimpleNamespace

    import pelican.cache

    hashed = []

    def sha256(data=b""):
        hashed.append(len(data))
        return hashlib.sha256(data)

    monkeypatch.setattr(pelican.cache, "hashlib", SimpleNamespace(sha256=sha256))
    sources = len(list(synthetic.rglob("*.md")))
    for _ in range(2):  # first with an empty reader cache, then with a full one
        hashed.clear()
        build_site(synthetic, tmp_path / "site", search=False,
                   overrides={"CACHE_PATH": str(tmp_path / "cache")})
        assert len(hashed) == sources


def test_the_cycle_collector_is_back_on_after_a_build(content_copy, tmp_path):
    import gc

    from yingkou_archive.errors import ArchiveError

    build_site(content_copy, tmp_path / "site", search=False)
    assert gc.isenabled()
    (content_copy / "articles" / "broken.md").write_text("Title: 无日期\n\n正文。\n", encoding="utf-8")
    with pytest.raises(ArchiveError, match="broken.md"):
        build_site(content_copy, tmp_path / "site", search=False)
    assert gc.isenabled()
