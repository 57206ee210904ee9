"""The sitemap plugin on a tiny site with Pelican's own theme and reader
(it writes through the archive writer, so that plugin comes too)."""

from __future__ import annotations

import re

import pytest
from pelican import Pelican
from pelican.settings import read_settings

from plugins import archive_writer

ARTICLES = {
    "harbour.md": "Title: 港口夜航\nDate: 2023-11-20\nSlug: harbour\n\n夜间引航恢复。\n",
    "bridge.md": "Title: 大桥合龙\nDate: 2024-02-05\nSlug: bridge\n\n主跨顺利合龙。\n",
    "market.md": "Title: 早市搬迁\nDate: 2024-06-18\nModified: 2024-07-01\nSlug: market\n\n新址启用。\n",
    "draft.md": "Title: 未完稿\nDate: 2024-06-19\nSlug: draft\nStatus: draft\n\n草稿。\n",
}


def _build(tmp_path, parallel: bool, monkeypatch) -> dict[str, str]:
    if parallel:
        monkeypatch.setattr(archive_writer, "PARALLEL_MIN_PAGES", 0)
    content, out = tmp_path / "content", tmp_path / f"out-{parallel}"
    content.mkdir(exist_ok=True)
    for name, text in ARTICLES.items():
        (content / name).write_text(text, encoding="utf-8")
    settings = read_settings(override={
        "PATH": str(content), "OUTPUT_PATH": str(out), "CACHE_CONTENT": False,
        "PLUGINS": ["plugins.archive_writer", "plugins.archive_sitemap"], "PLUGIN_PATHS": [],
        "TIMEZONE": "Asia/Shanghai", "SITEURL": "https://news.example.cn",
        "ARTICLE_URL": "{date:%Y}/{slug}/", "ARTICLE_SAVE_AS": "{date:%Y}/{slug}/index.html",
        "FEED_ALL_ATOM": None, "CATEGORY_FEED_ATOM": None, "AUTHOR_FEED_ATOM": None,
        "AUTHOR_FEED_RSS": None, "TRANSLATION_FEED_ATOM": None, "DELETE_OUTPUT_DIRECTORY": False,
        "SITEMAP": {"exclude": [r"^archives\.html$"], "priorities": {"articles": 0.7},
                    "changefreqs": {"indexes": "daily"}},
    })
    Pelican(settings).run()
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
            for p in [out / "sitemap.xml", *sorted((out / "sitemaps").glob("*.xml"))]}


def _entries(xml: str) -> dict[str, str]:
    return dict(re.findall(r"<loc>https://news\.example\.cn/([^<]*)</loc><lastmod>([^<]*)</lastmod>", xml))


@pytest.mark.parametrize("parallel", [False, True])
def test_sitemap_index_lists_a_file_per_year_and_one_for_other_pages(tmp_path, monkeypatch, parallel):
    files = _build(tmp_path, parallel, monkeypatch)
    assert _entries(files["sitemap.xml"]) == {
        "sitemaps/2023.xml": "2023-11-20", "sitemaps/2024.xml": "2024-07-01",
        "sitemaps/pages.xml": "2024-06-18"}
    assert _entries(files["sitemaps/2023.xml"]) == {"2023/harbour/": "2023-11-20"}
    # an article's lastmod is its Modified date; the draft is left out
    assert _entries(files["sitemaps/2024.xml"]) == {"2024/bridge/": "2024-02-05", "2024/market/": "2024-07-01"}
    assert "<priority>0.7</priority>" in files["sitemaps/2024.xml"]
    pages = _entries(files["sitemaps/pages.xml"])
    assert pages[""] == "2024-06-18"  # the home page: its newest article
    assert "archives.html" not in pages  # excluded by pattern
    assert "<changefreq>daily</changefreq>" in files["sitemaps/pages.xml"]


def test_serial_and_parallel_rendering_give_the_same_sitemaps(tmp_path, monkeypatch):
    serial = _build(tmp_path, False, monkeypatch)
    assert _build(tmp_path, True, monkeypatch) == serial


def test_exclusion_patterns_joined_match_as_each_alone():
    from plugins.archive_sitemap import _exclusion

    patterns = [r"^404\.html$", r"^search/$", r"/page/\d+/$"]
    joined = _exclusion(patterns)
    urls = ["404.html", "search/", "topics/gangkou/page/3/", "2024/06/18/market/", "topics/gangkou/",
            "x404.html", "search/old/", "page/3/x"]
    for url in urls:
        assert bool(joined.search(url)) == any(re.search(p, url) for p in patterns), url
    # a global flag cannot be joined: the patterns are tried one by one
    flagged = _exclusion([r"(?i)^SEARCH/$", r"^404\.html$"])
    assert flagged.search("search/") and flagged.search("404.html") and not flagged.search("about/")
    assert _exclusion([]) is None
