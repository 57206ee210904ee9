"""The demo archive, built: every kind of page the site promises."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import SITEMAP_NS, parse_page, sitemap_entries
from yingkou_archive.content_check import article_url, check_content
from yingkou_archive.kinds import KINDS, TAXONOMY_KINDS
from yingkou_archive.vocabulary import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def report():
    result = check_content(ROOT / "content")
    assert result.ok, result.problems
    return result


@pytest.fixture(scope="module")
def vocabulary():
    return load_vocabulary(ROOT / "content" / "taxonomy.yml")


def _counts(report, kind):
    return Counter(name for meta in report.articles for name in meta.terms[kind])


def _listed_titles(page: Path) -> list[str]:
    html = page.read_text(encoding="utf-8")
    return re.findall(r'<h[23] class="article-item-title"><a href="[^"]*">([^<]*)</a>', html)


def _newest_first(report, titles):
    dates = {m.title: m.date for m in report.articles}
    listed = [dates[t.replace("&#34;", '"')] for t in titles]
    return listed == sorted(listed, reverse=True)


def test_a_short_topic_list_is_one_page_newest_first(demo_site, report, vocabulary):
    """Up to 40 articles fit the front page (yingkou_archive/paging.py)."""
    topic = vocabulary.find("topic", "港口物流")
    count = _counts(report, "topic")["港口物流"]
    assert 20 < count <= 40
    titles = _listed_titles(demo_site / "topics" / topic.slug / "index.html")
    assert len(titles) == count
    assert _newest_first(report, titles)
    assert not (demo_site / "topics" / topic.slug / "page").exists()


@pytest.mark.parametrize("kind", TAXONOMY_KINDS, ids=KINDS)
def test_every_term_has_page_and_feed_with_its_articles(demo_site, report, vocabulary, kind):
    folder = kind.plural
    counts = _counts(report, kind.name)
    assert counts
    for name, count in counts.items():
        slug = vocabulary.find(kind.name, name).slug
        page = demo_site / folder / slug / "index.html"
        assert page.exists(), name
        assert f"共 {count} 篇文章" in page.read_text(encoding="utf-8")
        feed = ET.parse(demo_site / folder / slug / "atom.xml").getroot()
        entries = feed.findall(f"{ATOM}entry")
        assert len(entries) == min(count, 50)
        titles = {e.find(f"{ATOM}title").text for e in entries}
        expected = {m.title for m in report.articles if name in m.terms[kind.name]}
        assert titles <= expected


def test_overview_pages_list_every_used_term_with_count(demo_site, report, vocabulary):
    """Every term with articles, linked, with its count; terms without
    articles are left out, as the home page counts them (issue 14)."""
    for kind, folder in ((k.name, k.plural) for k in TAXONOMY_KINDS):
        html = (demo_site / folder / "index.html").read_text(encoding="utf-8")
        main = html.split('<main id="main"', 1)[1]
        counts = _counts(report, kind)
        for term in vocabulary.terms[kind]:
            count = counts.get(term.name, 0)
            pattern = rf"{term.name}</a> <span class=\"count\">{count} 篇"
            if count:
                assert re.search(pattern, html), (kind, term.name, count)
            else:
                assert f">{term.name}<" not in main and "0 篇" not in main, (kind, term.name)


def test_district_overview_lists_its_agencies(demo_site, report, vocabulary):
    html = (demo_site / "districts" / "index.html").read_text(encoding="utf-8")
    sections = html.split('<li class="district">')[1:]
    by_district = {re.search(r"<h2>(?:<a [^>]*>)?([^<]+)", s).group(1): s for s in sections}
    used = _counts(report, "agency")
    for agency in vocabulary.terms["agency"]:
        if used.get(agency.name):
            assert agency.name in by_district[agency.district], agency.name


def test_year_and_month_archives(demo_site, report):
    years = Counter(m.date.year for m in report.articles)
    months = Counter((m.date.year, m.date.month) for m in report.articles)
    overview = (demo_site / "archives" / "index.html").read_text(encoding="utf-8")
    for year, count in years.items():
        page = demo_site / str(year) / "index.html"
        assert f"共 {count} 篇。" in page.read_text(encoding="utf-8")
        assert f"{year}年</a> <span class=\"count\">{count} 篇" in overview
    for (year, month), count in months.items():
        page = demo_site / str(year) / f"{month:02d}" / "index.html"
        assert f"共 {count} 篇。" in page.read_text(encoding="utf-8")
        assert len(_listed_titles(page)) == count


def test_article_page_markup_contract(demo_site, report):
    for meta in report.articles:
        page = demo_site / article_url(meta) / "index.html"
        parsed = parse_page(page)
        assert parsed.articles == 1
        inside = "".join(parsed.text_in_article)
        assert meta.title in inside
        for name in sum(meta.terms.values(), []):
            assert name in inside
        html = page.read_text(encoding="utf-8")
        article_html = html[html.index("<article"):html.index("</article>")]
        assert "相关文章" not in article_html
        assert "site-footer" not in article_html


def test_article_has_related_and_neighbours(demo_site, report):
    for meta in report.articles:
        html = (demo_site / article_url(meta) / "index.html").read_text(encoding="utf-8")
        related = html.split('id="related-title"')[1] if 'id="related-title"' in html else ""
        count = related.count('class="article-item"')
        assert 3 <= count <= 5, (meta.path, count)
        assert 'rel="prev"' in html or 'rel="next"' in html


def test_photos_are_figures_with_captions(demo_site, report):
    with_photos = [m for m in report.articles if "{static}/images/" in
                   (ROOT / m.path).read_text(encoding="utf-8")]
    assert len(with_photos) >= 3
    for meta in with_photos:
        html = (demo_site / article_url(meta) / "index.html").read_text(encoding="utf-8")
        body = html[html.index("<article"):html.index("</article>")]
        assert re.search(r"<figure><img [^>]*src=\"[^\"]*images/[^\"]+\"[^>]*>"
                         r"<figcaption>[^<]+</figcaption></figure>", body), meta.path


def test_jsonld_canonical_and_opengraph(demo_site, report):
    for meta in report.articles:
        parsed = parse_page(demo_site / article_url(meta) / "index.html")
        assert len(parsed.jsonld) == 1
        data = json.loads(parsed.jsonld[0])
        assert data["@type"] == "NewsArticle"
        assert data["headline"] == meta.title
        assert data["datePublished"].startswith(meta.date.strftime("%Y-%m-%d"))
        assert data["url"].endswith("/" + article_url(meta))
        assert data["author"] == [{"@type": "Person", "name": a} for a in meta.authors]
        assert parsed.links["canonical"] == data["url"]
        assert parsed.meta["og:type"] == "article"
        assert parsed.meta["og:title"] == meta.title


def test_sitemap_lists_every_article_and_term(demo_site, report):
    locs = set(sitemap_entries(demo_site))
    assert all(loc.startswith("http") for loc in locs)
    paths = {re.sub(r"^https?://[^/]+/", "", loc) for loc in locs}
    for meta in report.articles:
        assert article_url(meta) in paths
    assert "topics/gangkou-wuliu/" in paths
    robots = (demo_site / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: http" in robots and robots.strip().endswith("/sitemap.xml")


def test_sitemap_dates_pages_by_their_articles_not_the_build(demo_site, report):
    entries = sitemap_entries(demo_site)
    home = next(lastmod for loc, lastmod in entries.items() if re.fullmatch(r"https?://[^/]+/", loc))
    newest = max(m.date for m in report.articles)
    assert home == newest.strftime("%Y-%m-%d")
    for meta in report.articles:
        loc = next(loc for loc in entries if loc.endswith("/" + article_url(meta)))
        assert entries[loc] == meta.date.strftime("%Y-%m-%d")


def test_sitemap_dates_a_term_page_by_its_newest_article(demo_site, report, vocabulary):
    entries, checked = sitemap_entries(demo_site), 0
    for term in vocabulary.terms["topic"]:
        dates = [m.date for m in report.articles if term.name in m.terms.get("topic", [])]
        if dates:
            loc = next(loc for loc in entries if loc.endswith(f"/topics/{term.slug}/"))
            assert entries[loc] == max(dates).strftime("%Y-%m-%d"), term.name
            checked += 1
    assert checked >= 3


def test_the_sitemap_is_an_index_of_files_by_year(demo_site, report):

    index = ET.parse(demo_site / "sitemap.xml").getroot()
    names = [s.find(SITEMAP_NS + "loc").text.rsplit("/", 1)[1] for s in index.iter(SITEMAP_NS + "sitemap")]
    years = sorted({f"{m.date.year}.xml" for m in report.articles})
    assert names == years + ["pages.xml"]
    for year in years:  # each year's file holds exactly that year's articles
        urls = {u.find(SITEMAP_NS + "loc").text for u in
                ET.parse(demo_site / "sitemaps" / year).getroot().iter(SITEMAP_NS + "url")}
        assert {re.sub(r"^https?://[^/]+/", "", u)[:5] for u in urls} == {year[:4] + "/"}
        assert sum(1 for u in urls if re.search(r"/\d\d/[^/]+/$", u)) == \
            sum(1 for m in report.articles if f"{m.date.year}.xml" == year)


def test_home_page_has_latest_browse_and_search(demo_site, report):
    html = (demo_site / "index.html").read_text(encoding="utf-8")
    newest = max(report.articles, key=lambda m: m.date)
    assert newest.title in html
    assert re.search(r'<form class="hero-search" role="search" action="(\./)?search/"', html)
    for topic in {t for m in report.articles for t in m.terms["topic"]}:
        assert topic in html


def test_article_page_html_and_css_under_40_kb(demo_site, report):
    css = (demo_site / "theme" / "css" / "site.css").stat().st_size
    largest = max((demo_site / article_url(m) / "index.html").stat().st_size
                  for m in report.articles)
    assert largest + css < 40 * 1024, (largest, css)
