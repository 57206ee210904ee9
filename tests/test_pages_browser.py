"""Pages as readers see them in Chromium at 390 and 1280 px: no request
fails (the favicon), the 404 page styled and linked at any depth, the phone
home page's ways in near the top with one search box and the title once,
and the topic chart legible and linked to the months.
"""

from __future__ import annotations

import re

import pytest

WIDTHS = (390, 1280)
SITENAME = "营口新闻档案"


@pytest.fixture(scope="module")
def site(demo_url):
    return demo_url


def _page(browser, width):
    return browser.new_page(viewport={"width": width, "height": 844 if width < 500 else 900})


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", ["", "2024/12/2024-12-18-key-projects-year-end/", "topics/", "search/?q=港口"])
def test_no_request_fails(browser, site, path, width):
    page = _page(browser, width)
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(r.url))
    try:
        page.goto(site + path, wait_until="networkidle")
        icon = page.evaluate("document.querySelector('link[rel=icon]').href")
        assert page.request.get(icon).status == 200
    finally:
        page.close()
    assert not failed, failed


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("missing", ["nothing", "2024/99/nothing/", "a/b/c/d/e/missing.html"])
def test_404_page_is_styled_and_linked_at_any_depth(browser, site, missing, width):
    page = _page(browser, width)
    try:
        response = page.goto(site + missing)
        assert response.status == 404
        assert page.title().startswith("找不到页面")
        header = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
        assert header == "rgb(244, 247, 249)"  # site.css applied
        links = page.evaluate("[...document.querySelectorAll('main a, .site-nav a')].map(a => a.href)")
        assert len(links) >= 5
        for link in links:
            assert link.startswith(site), link
            assert page.request.get(link).status == 200, link
    finally:
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_home_page_ways_in_near_the_top_one_search_box_title_once(browser, site, width):
    page = _page(browser, width)
    try:
        page.goto(site)
        boxes = page.evaluate("""[...document.querySelectorAll('input[type=search]')]
                                 .filter(el => el.offsetParent !== null).length""")
        assert boxes == 1
        names = page.evaluate("""(name) => [...document.querySelectorAll('body *')]
            .filter(el => el.offsetParent !== null && el.children.length === 0
                    && el.textContent.trim() === name && el.getBoundingClientRect().width > 1).length""",
                              SITENAME)
        assert names == 1
        ways = page.evaluate("""[...document.querySelectorAll('.ways-in a')].map(a => {
            const r = a.getBoundingClientRect();
            return {text: a.textContent.trim(), bottom: r.bottom + scrollY, href: a.href}; })""")
        assert [w["text"] for w in ways][:3] == ["按专题浏览", "按地区浏览", "按部门浏览"]
        assert max(w["bottom"] for w in ways) < 600, ways  # on the first screen of a phone
        for way in ways:
            assert page.request.get(way["href"]).status == 200
        # the placeholder fits its box
        fits = page.evaluate("""() => {
            const input = document.querySelector('#home-search-q'), s = getComputedStyle(input);
            const ctx = document.createElement('canvas').getContext('2d');
            ctx.font = `${s.fontSize} ${s.fontFamily}`;
            const room = input.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
            return {text: ctx.measureText(input.placeholder).width, room};
        }""")
        assert fits["text"] <= fits["room"], fits
    finally:
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_topic_chart_is_legible_and_its_bars_open_the_month(browser, site, width):
    page = _page(browser, width)
    try:
        page.goto(site + "topics/gangkou-wuliu/")
        sizes = page.evaluate("""[...document.querySelectorAll('.month-chart text')]
                                 .map(t => t.getBoundingClientRect().height)""")
        assert sizes and min(sizes) >= 11, sizes  # rendered label height in CSS px
        font = page.evaluate("""(() => { const svg = document.querySelector('.month-chart');
            const t = svg.querySelector('text');
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return parseFloat(t.getAttribute('font-size')) * scale; })()""")
        assert font >= 11, font
        box = page.evaluate("(() => { const r = document.querySelector('.month-chart').getBoundingClientRect();"
                            " return [r.width, r.height]; })()")
        assert abs(box[0] / box[1] - 400 / 110) < 0.05, box  # not stretched
        bars = page.locator(".month-chart a")
        assert bars.count() >= 5
        bar = bars.nth(2)  # an older month, further down the list
        label = bar.get_attribute("aria-label")
        year, month = re.match(r"(\d+)年(\d+)月", label).groups()
        bar.click()
        page.wait_for_url(f"**/topics/gangkou-wuliu/#m-{year}-{int(month):02d}")
        shown = page.evaluate("""(() => {
            const anchor = document.getElementById(location.hash.slice(1));
            const item = anchor.nextElementSibling, r = item.getBoundingClientRect();
            return {date: item.querySelector('time').getAttribute('datetime'),
                    terms: item.querySelector('.article-item-meta').textContent,
                    top: r.top, height: innerHeight}; })()""")
        assert shown["date"].startswith(f"{year}-{int(month):02d}"), shown
        assert "港口物流" in shown["terms"] and 0 <= shown["top"] < shown["height"] / 2, shown
    finally:
        page.close()
