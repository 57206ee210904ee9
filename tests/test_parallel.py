"""Reading, checking and rendering on all cores gives exactly the serial output."""

from __future__ import annotations

import datetime
import multiprocessing
import re

import pytest

from plugins import archive_content, archive_writer, forked
from plugins.archive_content import store
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
    monkeypatch.setattr(store, "PARALLEL_MIN_FILES", threshold)
    monkeypatch.setattr(archive_writer, "PARALLEL_MIN_PAGES", threshold)
    monkeypatch.setattr(forked, "FORK_MIN_ARTICLES", threshold)
    pools = []

    def counting(method):
        pools.append(method)
        return multiprocessing.get_context(method)

    monkeypatch.setattr(store, "get_context", counting)
    monkeypatch.setattr(archive_writer, "get_context", counting)
    monkeypatch.setattr(forked, "get_context", counting)
    build_site(content, output, search=False, overrides={"CACHE_PATH": str(cache)})
    return pools


def test_parallel_build_equals_serial_build(synthetic, tmp_path, monkeypatch):
    assert _build(synthetic, tmp_path / "serial", tmp_path / "c1", monkeypatch, False) == []
    pools = _build(synthetic, tmp_path / "parallel", tmp_path / "c2", monkeypatch, True)
    # looking at the files (beside loading the store), reading, the related
    # articles and the site-wide checks (beside the queueing), then
    # rendering article pages and list pages, all forked
    assert pools == ["fork"] * 6
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


@pytest.mark.parametrize("forking", [False, True])
def test_only_changed_articles_are_read_and_parsed(synthetic, tmp_path, monkeypatch, forking):
    """The store: an article whose file did not change (size and mtime) is
    not read, one whose bytes did not change is not parsed; the same when
    the files are looked at in a forked process while the store loads."""
    import os
    import shutil

    content = tmp_path / "content"
    shutil.copytree(synthetic, content)

    parsed = []
    real = archive_content.ArchiveMarkdownReader.prepare

    def counting(reader, path):
        parsed.append(os.path.basename(path))
        return real(reader, path)

    monkeypatch.setattr(archive_content.ArchiveMarkdownReader, "prepare", counting)
    monkeypatch.setattr(store, "PARALLEL_MIN_FILES", 10**9)  # count in this process
    monkeypatch.setattr(forked, "FORK_MIN_ARTICLES", 1 if forking else 10**9)
    statted = []  # the forked looks at the files
    real_call = store.ForkedCall
    monkeypatch.setattr(store, "ForkedCall", lambda *args: statted.append(args[1]) or real_call(*args))

    opened = []  # sources the store reads to compare their bytes

    def counting_open(path, *args, **kwargs):
        if str(path).startswith(str(content)):
            opened.append(os.path.basename(path))
        return open(path, *args, **kwargs)

    monkeypatch.setattr(store, "open", counting_open, raising=False)

    def build():
        parsed.clear()
        opened.clear()
        build_site(content, tmp_path / "site", search=False, overrides={"CACHE_PATH": str(tmp_path / "cache")})
        return sorted(parsed)

    sources = sorted(p.name for p in (content / "articles").rglob("*.md"))
    assert build() == sources
    assert build() == []
    assert opened == []
    touched, edited = sorted((content / "articles").rglob("*.md"))[:2]
    os.utime(touched, ns=(1, 1))  # new mtime, same bytes: read, not parsed
    edited.write_text(edited.read_text(encoding="utf-8") + "\n补充一段。\n", encoding="utf-8")
    assert build() == [edited.name]
    assert sorted(opened) == sorted([touched.name, edited.name])
    assert build() == []
    assert statted == [store._packed_stats] * (4 if forking else 0)


def test_articles_made_without_init_are_pelicans_articles():
    """new_article sets what Article.__init__ would from the same complete
    metadata: renamed fields (url, save_as), a property with a setter
    (status), a mixed-case key, the author, extra fields; the store's
    LazyArticle answers url and save_as as Pelican does, with or without
    them in the metadata."""
    from zoneinfo import ZoneInfo

    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG
    from pelican.urlwrappers import Author

    from plugins.pelican_internals import new_article

    settings = {**DEFAULT_CONFIG, "TIMEZONE": "Asia/Shanghai", "PATH": "/c",
                "ARTICLE_URL": "{date:%Y}/{slug}/", "ARTICLE_SAVE_AS": "{date:%Y}/{slug}.html"}
    date = datetime.datetime(2024, 5, 9, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    given = {"title": "港口", "slug": "gangkou-a", "date": date, "status": "Hidden",
             "authors": [Author("记者甲", settings)], "source": "营口日报", "Edition": "第三版",
             "date_label": "2024年5月9日", "summary": "一段摘要"}
    urls = {"url": "gangkou/", "save_as": "gangkou/index.html"}
    for metadata in (given, {**given, **urls}):
        pelicans = Article("<p>x</p>", metadata=dict(metadata), settings=settings, source_path="/c/a.md",
                           context={})
        for article_class in (Article, store.LazyArticle):
            made = new_article(article_class, dict(metadata), "/c/a.md", settings, {}, "a.md")
            for name in ("title", "slug", "date", "status", "url", "save_as", "author", "authors", "source",
                         "edition", "lang", "in_default_lang", "template", "timezone", "relative_source_path"):
                assert getattr(made, name) == getattr(pelicans, name), (name, article_class)
            assert made.status == "hidden" and "Edition" not in vars(made) and "status" not in vars(made)
            assert made.metadata == metadata
        assert pelicans.url == ("gangkou/" if "url" in metadata else "2024/gangkou-a/")
