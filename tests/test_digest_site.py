"""Imported digest pages build into the site: articles, figures, issue pages."""

from __future__ import annotations

import re

from sitebuild.build import build_site
from tests.digest_support import FIXTURES
from yingkou_archive.digest.cli import run


def test_imported_pages_build_with_issue_pages(content_copy, tmp_path):
    sample = FIXTURES / "yingkou-page-2024-06-18.txt"
    epaper = FIXTURES / "epaper-utf8-2024-05-20-03-01.html"
    tables = FIXTURES / "pages" / "ykrb-p08-2024-07-10.txt"
    assert run([sample, epaper, tables], content_dir=content_copy) == 0
    out = tmp_path / "out"
    build_site(content_copy, out, search=False)

    issue_pages = sorted((out / "issues").rglob("index.html"))
    listing = (out / "issues" / "index.html").read_text(encoding="utf-8")
    imported = [p for p in issue_pages if ("/2024/06/18/" in str(p) or "/2024/05/20/" in str(p))
                and not p.parent.name.isdigit()]  # page views, not the day pages beside them
    assert len(imported) == 2  # one issue page per imported printed page
    text_issue = next(p for p in imported if "/2024/06/18/" in str(p))
    html = text_issue.read_text(encoding="utf-8")
    titles = re.findall(r'class="article-item-title"><a href="([^"]+)">([^<]+)</a>', html)
    # page order: the lead feature, then the four briefs as printed
    assert [t for _, t in titles][:2] == ["港城打造东北海陆大通道新枢纽", "海铁联运班列再添新线路"]
    assert len(titles) == 5
    assert "2024年6月18日" in listing

    for href, _ in titles:
        article = (text_issue.parent / href / "index.html").resolve()
        page = article.read_text(encoding="utf-8")
        assert "刊于" in page and "本版第" in page
    lead = (text_issue.parent / titles[0][0] / "index.html").resolve().read_text(encoding="utf-8")
    assert "<h2" in lead.split("<article")[1]  # the feature's sections
    assert "<figcaption>" in lead
    assert "航线再加密" in lead  # the subtitle is shown

    # a table printed on the page reaches the reader as a table
    (renovation,) = [p for p in (out / "2024" / "07").rglob("index.html")
                     if "站前区老旧小区改造惠及居民" in p.read_text(encoding="utf-8")
                     and "<table" in p.read_text(encoding="utf-8")]
    html = renovation.read_text(encoding="utf-8")
    assert "<th>受益户数</th>" in html and "<td>4600</td>" in html and "<td>东风街道</td>" in html
