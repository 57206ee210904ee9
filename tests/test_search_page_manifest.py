"""The search page carries the index's manifest (search/page_manifest.py):
filled after every index write, inert as markup, refused when the page
does not have exactly one place for it."""

from __future__ import annotations

import json
import os

import pytest

from search.page_manifest import PageManifestError, embed_manifest, embedded_manifest

EMPTY = '<script type="application/json" id="search-manifest"></script>'
HOSTILE = '</script><script>alert(1)</script><!-- & -->'


def _site(tmp_path, manifest: dict, page_html: str):
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "search" / "index.html").write_text(page_html, encoding="utf-8")
    return tmp_path / "search" / "index.html"


def _page(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>搜索</title></head><body>{body}<p>后文</p></body></html>"


def test_the_page_gets_the_manifest_and_nothing_in_it_reads_as_markup(tmp_path):
    manifest = {"version": 9, "facets": [{"name": "topic", "label": HOSTILE}], "docs": 3}
    page = _site(tmp_path, manifest, _page(EMPTY))
    assert embed_manifest(tmp_path, "search/index.html")
    html = page.read_text(encoding="utf-8")
    assert embedded_manifest(html) == manifest
    start = html.index(EMPTY[:-len("</script>")]) + len(EMPTY) - len("</script>")
    carried = html[start:html.index("</script>", start)]
    assert not set("<>&") & set(carried)
    assert html.endswith("<p>后文</p></body></html>")  # the rest of the page as it was


def test_a_kept_page_gets_the_new_manifest_and_an_unchanged_one_is_not_written(tmp_path):
    page = _site(tmp_path, {"version": 8, "build": "a"}, _page(EMPTY))
    embed_manifest(tmp_path, "search/index.html")
    (tmp_path / "search" / "manifest.json").write_text(json.dumps({"version": 8, "build": "b"}), encoding="utf-8")
    # the page is a hard link the live generation shares: it must not change there
    os.link(page, tmp_path / "live.html")
    assert embed_manifest(tmp_path, "search/index.html")
    assert embedded_manifest(page.read_text(encoding="utf-8")) == {"version": 8, "build": "b"}
    assert embedded_manifest((tmp_path / "live.html").read_text(encoding="utf-8")) == {"version": 8, "build": "a"}
    inode = page.stat().st_ino
    assert not embed_manifest(tmp_path, "search/index.html")
    assert page.stat().st_ino == inode


@pytest.mark.parametrize("body", ["", EMPTY + EMPTY])
def test_a_page_without_exactly_one_place_for_it_is_named(tmp_path, body):
    _site(tmp_path, {"version": 8}, _page(body))
    with pytest.raises(PageManifestError, match=r"search/index\.html.*search-manifest"):
        embed_manifest(tmp_path, "search/index.html")


def test_a_site_without_the_page_or_the_index_is_left_alone(tmp_path):
    assert not embed_manifest(tmp_path, "search/index.html")
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "index.html").write_text(_page(EMPTY), encoding="utf-8")
    assert not embed_manifest(tmp_path, "search/index.html")
    assert embedded_manifest((tmp_path / "search" / "index.html").read_text(encoding="utf-8")) is None
