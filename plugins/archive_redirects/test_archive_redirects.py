"""The redirects plugin alone: old URLs of an article lead to the new one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from yingkou_archive.errors import ContentError

TEST_DATA = Path(__file__).resolve().parent / "test_data"
SETTINGS = {"ARTICLE_URL": "{date:%Y}/{date:%m}/{slug}/", "ARTICLE_SAVE_AS": "{date:%Y}/{date:%m}/{slug}/index.html",
            "SITEURL": "https://news.example.org", "SITE_ABSOLUTE_URL": "https://news.example.org"}


@pytest.fixture()
def content(tmp_path) -> Path:
    shutil.copytree(TEST_DATA / "content", tmp_path / "content")
    return tmp_path / "content"


def _build(build_tiny_site, content, out, **extra):
    return build_tiny_site(content, out, ["plugins.archive_redirects"], TEST_DATA / "theme",
                           **{**SETTINGS, **extra})


def test_each_old_url_redirects_to_the_article(content, tmp_path, build_tiny_site):
    out = _build(build_tiny_site, content, tmp_path / "out")
    for old in ("2024/10/old-bird-slug", "2024/09/even-older"):
        page = (out / old / "index.html").read_text(encoding="utf-8")
        assert 'url=https://news.example.org/2024/10/liaohekou-birds/"' in page
        assert 'rel="canonical" href="https://news.example.org/2024/10/liaohekou-birds/"' in page


def test_relative_urls_give_relative_redirects(content, tmp_path, build_tiny_site):
    out = _build(build_tiny_site, content, tmp_path / "out", RELATIVE_URLS=True)
    page = (out / "2024/09/even-older/index.html").read_text(encoding="utf-8")
    assert 'url=../../10/liaohekou-birds/"' in page


def test_an_old_url_that_is_a_live_page_fails_naming_the_file(content, tmp_path, build_tiny_site):
    (content / "articles" / "live.md").write_text(
        "Title: 现存页面\nDate: 2024-09-03\nSlug: even-older\n\n正文。\n", encoding="utf-8")
    with pytest.raises(ContentError) as failure:
        _build(build_tiny_site, content, tmp_path / "out")
    assert "moved.md" in str(failure.value) and "2024/09/even-older/" in str(failure.value)
