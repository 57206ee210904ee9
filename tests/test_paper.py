"""The printed paper in the built demo: every day, page, region and calendar
link resolves, page images have their derivatives, the sitemap lists the
pages, and what an article shows of where it was printed."""

from __future__ import annotations

from tests.helpers import parse_page, sitemap_entries
from tests.test_links import _target

DAY = "issues/2024/09/10/"
PAGES = [f"{DAY}ykxwdaslbm-p01/", f"{DAY}ykxwdaslbm-p05/", f"{DAY}ykxwdaslbm-p08/"]
NEXT_DAY = "issues/2024/09/11/"


def _refs(site, url, selector_tag=None):
    page = site / url / "index.html"
    return page, [(tag, attr, href) for tag, attr, href in parse_page(page).references
                  if selector_tag is None or tag == selector_tag]


def _resolves(site, page, href) -> bool:
    return _target(site, page, href).is_file()


def test_the_paper_pages_exist_and_every_link_on_them_resolves(demo_site):
    urls = ["issues/", "issues/2024/", DAY, NEXT_DAY, *PAGES, f"{NEXT_DAY}ykxwdaslbm-p01/"]
    checked = 0
    for url in urls:
        page, refs = _refs(demo_site, url)
        for tag, _attr, href in refs:
            if href.startswith("#"):
                continue
            assert _resolves(demo_site, page, href), (url, tag, href)
            checked += 1
        for _tag, attrs in parse_page(page).tags:  # every srcset entry too
            for entry in (attrs.get("srcset") or "").split(","):
                if entry.strip():
                    assert _resolves(demo_site, page, entry.split()[0]), (url, entry)
                    checked += 1
    assert checked > 200


def test_regions_link_to_the_articles_of_the_page_in_reading_order(demo_site):
    page, refs = _refs(demo_site, PAGES[1])
    regions = [href for tag, _, href in refs if tag == "a" and "ykxwdaslbm-20240910-p05" in href]
    # each article twice: its region on the image, then its item in the list
    expected = [f"../../../../../2024/09/ykxwdaslbm-20240910-p05-0{n}/" for n in range(1, 5)]
    assert regions == expected + expected
    polygons = [attrs for tag, attrs in parse_page(page).tags if tag == "polygon"]
    assert len(polygons) == 4 and polygons[0]["points"].count(",") == 6  # the L-shaped lead story


def test_day_page_thumbnails_link_every_page_and_neighbour_days(demo_site):
    page, refs = _refs(demo_site, DAY)
    hrefs = [href for _, _, href in refs]
    for url in PAGES:
        assert f"../../../../{url}" in hrefs
    assert f"../../../../{NEXT_DAY}" in hrefs
    html = page.read_text(encoding="utf-8")
    for heading in ("第1版 · 要闻", "第5版 · 城市", "第8版 · 文化", "下一期", "没有更早的一期"):
        assert heading in html


def test_the_calendar_links_the_days_with_an_issue(demo_site):
    page, refs = _refs(demo_site, "issues/2024/")
    days = sorted(href for _, _, href in refs if "/issues/2024/09/" in href)
    assert days == ["../../issues/2024/09/10/", "../../issues/2024/09/11/"]
    html = page.read_text(encoding="utf-8")
    assert "2024年9月" in html and 'aria-label="2024年9月10日 星期二"' in html


def test_the_sitemap_lists_the_paper_pages(demo_site):
    listed = {loc.split("/", 3)[3] for loc in sitemap_entries(demo_site)}
    for url in ["issues/", "issues/2024/", DAY, NEXT_DAY, *PAGES]:
        assert url in listed, url


def test_an_article_says_where_it_was_printed(demo_site):
    page = demo_site / "2024/09/ykxwdaslbm-20240910-p05-02/index.html"
    html = page.read_text(encoding="utf-8")
    assert "刊于 <a href=\"../../../issues/2024/09/10/ykxwdaslbm-p05/\">2024年9月10日 第5版 · 城市</a>" in html
    assert "上一篇：老旧小区换新颜 城市更新惠民生" in html and "下一篇：西市区完成雨污分流改造三公里" in html
    assert 'class="sheet-mark" points="40,627 490,627 490,983 40,983"' in html


def test_the_home_page_shows_the_latest_issue(demo_site):
    html = (demo_site / "index.html").read_text(encoding="utf-8")
    assert "最新一期" in html and 'href="./issues/2024/09/11/ykxwdaslbm-p01/"' in html
    assert "大石桥镁制品企业上马节能窑炉" in html
