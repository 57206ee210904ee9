"""The search page as readers use it, at phone (390 px) and desktop (1280 px)
widths: results before facets on a phone (whose counts are fetched only
when the filters are opened), one search box, relevance by
title and use in the body (a tag alone counts for nothing), excerpts of
article text naming a matched tag, focus kept on a facet chosen with the
arrow keys, the list and place restored on Back, a title per query, the
typed query echoed, the highlight colour on the article page, and tap
targets of 24 px.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlsplit

import pytest

from tests.browser import site_url
from tests.helpers import build_synthetic_site

WORD = "琥珀湾"  # an invented place: only the articles below use it
ARTICLES = {
    "2019/01/title.md": f"""Title: {WORD}湿地公园开园
Date: 2019-01-05
Topic: 生态环境
District: 老边区
Slug: title-only

公园开放首日接待游客三千余人次，园内设有观鸟台和木栈道。
""",
    "2020/05/often.md": f"""Title: 港区新泊位投入使用
Date: 2020-05-01
Topic: 港口物流
District: 鲅鱼圈区
Slug: often

{WORD}作业区新泊位投入使用。{WORD}一带水深条件好，{WORD}泊位可停靠大型船舶，今后{WORD}还将建设仓储区。
""",
    "2022/05/once.md": f"""Title: 沿海公路完成路面改造
Date: 2022-05-01
Topic: 城市建设
District: 鲅鱼圈区
Slug: once

改造路段从市区延伸到{WORD}附近，全长十二公里。
""",
    "2025/12/tag.md": """Title: 港口开放日吸引市民参观
Date: 2025-12-31
Topic: 港口物流
District: 鲅鱼圈区
Agency: 琥珀湾港务联合会
Slug: tag-only

市民登上引航船，近距离了解集装箱装卸流程。
""",
}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    output = build_synthetic_site(tmp_path_factory.mktemp("ux"), 40, 9, ARTICLES)
    with site_url(output) as url:
        yield url


def _page(browser, width, height=844):
    context = browser.new_context(viewport={"width": width, "height": height})
    return context.new_page()


def _wait(page):
    page.wait_for_function(
        "() => { const a = document.getElementById('search-app');"
        " return ['done','message','error'].includes(a.dataset.state)"
        " && (a.dataset.state !== 'done' || ['ready','deferred'].includes(a.dataset.facets)); }", timeout=30000)


def _search(page, base, query, **params):
    extra = "".join(f"&{k}={quote(v)}" for k, v in params.items())
    page.goto(f"{base}search/?q={quote(query)}{extra}")
    _wait(page)


def _urls(page):
    hrefs = page.eval_on_selector_all(".search-result-title a", "as => as.map(a => a.getAttribute('href'))")
    return [re.sub(r"^.*?/(\d{4}/\d{2}/[^/?]+/).*$", r"\1", h) for h in hrefs]


def test_on_a_phone_results_come_first_under_one_search_box(browser, base):
    page = _page(browser, 390)
    _search(page, base, "营口")
    assert page.locator("input[type=search]:visible").count() == 1
    first = page.locator(".search-result").first.bounding_box()
    assert first["y"] + 60 < 844, first  # the first result is on the first screen
    assert not page.eval_on_selector("#search-filters", "d => d.open")
    assert not page.is_visible("#search-facets fieldset")
    page.click("#search-filters > summary")
    page.wait_for_function("document.getElementById('search-app').dataset.facets === 'ready'")
    assert page.is_visible("#search-facets fieldset")
    page.context.close()


def _facet_ranges(page):
    """(part URL path, first byte, end) of each segment's facet data."""
    manifest = json.loads(page.eval_on_selector("#search-manifest", "e => e.textContent"))
    bits = manifest["format"]["partBits"]
    ranges = []
    for segment in manifest["segments"]:
        names_at, names, chunks, whole = segment["facetData"]
        start, end = names_at - whole, names_at + names + sum(chunks)
        ranges.append((f"/search/seg/{segment['name']}.{start >> bits}.bin",
                       start & ((1 << bits) - 1), end - (start >> bits << bits)))
    return ranges


def _facet_requests(requests, ranges):
    hits = []
    for url, header in requests:
        match = re.fullmatch(r"bytes=(\d+)-(\d+)", header or "")
        path = urlsplit(url).path
        for part, start, end in ranges:
            if path == part and (match is None or int(match[1]) < end and int(match[2]) >= start):
                hits.append((path, header))
    return hits


def test_on_a_phone_the_facet_counts_are_fetched_when_the_filters_are_opened(browser, base):
    page = _page(browser, 390)
    requests = []
    page.on("request", lambda r: requests.append((r.url, r.headers.get("range"))))
    _search(page, base, "营口")
    ranges = _facet_ranges(page)
    assert page.locator(".search-result").count() > 0
    assert page.eval_on_selector("#search-app", "a => a.dataset.facets") == "deferred"
    assert _facet_requests(requests, ranges) == []
    requests.clear()
    page.click("#search-filters > summary")
    page.wait_for_function("document.getElementById('search-app').dataset.facets === 'ready'")
    assert _facet_requests(requests, ranges)
    counts = page.eval_on_selector_all("#search-facets .facet-count", "cs => cs.map(c => c.textContent)")
    assert counts and all(re.fullmatch(r"（\d+）", c) for c in counts)
    assert not page.is_visible(".facet-note")
    # a new search while the panel is open counts at once
    page.fill("#search-q", WORD)
    page.press("#search-q", "Enter")
    page.wait_for_function("document.getElementById('search-app').dataset.facets === 'ready'")
    assert page.is_visible("#search-facets fieldset")
    page.context.close()


def test_on_a_phone_counts_that_fail_to_load_say_so_and_are_tried_again(browser, base):
    page = _page(browser, 390)
    _search(page, base, "营口")
    ranges = _facet_ranges(page)

    def refuse_facets(route):
        if _facet_requests([(route.request.url, route.request.headers.get("range"))], ranges):
            route.abort()
        else:
            route.continue_()

    page.route("**/search/seg/*", refuse_facets)
    page.click("#search-filters > summary")
    page.wait_for_function("document.querySelector('.facet-note')?.textContent.includes('加载失败')")
    assert page.eval_on_selector("#search-app", "a => a.dataset.facets") == "deferred"
    assert page.locator(".search-result").count() > 0  # the results stay
    page.unroute("**/search/seg/*")
    page.click("#search-filters > summary")  # closed
    page.click("#search-filters > summary")  # opened again: counted now
    page.wait_for_function("document.getElementById('search-app').dataset.facets === 'ready'")
    assert page.is_visible("#search-facets fieldset")
    page.context.close()


def test_on_a_phone_a_chosen_filter_shows_its_counts_at_once(browser, base):
    page = _page(browser, 390)
    _search(page, base, WORD, district="鲅鱼圈区")
    assert page.eval_on_selector("#search-app", "a => a.dataset.facets") == "ready"
    assert page.inner_text("#search-filters > summary") == "筛选（已选 1 项）"
    page.click("#search-filters > summary")
    assert page.is_checked("#search-facets input[name=facet-district][value='鲅鱼圈区']")
    page.context.close()


def test_on_a_desktop_the_facets_are_open_beside_the_results(browser, base):
    page = _page(browser, 1280, 800)
    _search(page, base, "营口")
    assert page.is_visible("#search-facets fieldset")
    assert not page.is_visible("#search-filters > summary")
    facets, results = page.locator("#search-facets").bounding_box(), page.locator("#search-results").bounding_box()
    assert facets["x"] + facets["width"] <= results["x"]
    page.context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_relevance_is_title_then_use_in_the_body_and_a_tag_alone_comes_last(browser, base, width):
    page = _page(browser, width)
    _search(page, base, WORD)
    assert _urls(page) == ["2019/01/title-only/", "2020/05/often/", "2022/05/once/", "2025/12/tag-only/"]
    _search(page, base, WORD, sort="newest")
    assert _urls(page) == ["2025/12/tag-only/", "2022/05/once/", "2020/05/often/", "2019/01/title-only/"]
    page.context.close()


def test_a_tag_only_match_shows_article_text_and_names_the_tag(browser, base):
    page = _page(browser, 1280)
    _search(page, base, WORD)
    last = page.locator(".search-result").nth(3)
    assert last.locator(".search-result-excerpt").inner_text().startswith("市民登上引航船")
    tags = last.locator(".search-result-tags")
    assert "琥珀湾港务联合会" in tags.inner_text()
    assert tags.locator("mark").inner_text() == WORD
    # a body match has no such note
    assert page.locator(".search-result").nth(1).locator(".search-result-tags").count() == 0
    page.context.close()


def test_arrow_keys_on_a_facet_keep_the_focus_on_it(browser, base):
    page = _page(browser, 1280)
    _search(page, base, "营口")
    page.focus("#search-facets input[type=radio]")
    page.keyboard.press("ArrowDown")
    page.wait_for_function("location.search.includes('topic=')")
    _wait(page)
    focused = page.evaluate("({tag: document.activeElement.tagName, name: document.activeElement.name,"
                            " checked: document.activeElement.checked})")
    assert focused == {"tag": "INPUT", "name": "facet-topic", "checked": True}
    page.context.close()


def test_back_from_an_article_restores_the_list_and_the_place(browser, base):
    page = _page(browser, 390)
    _search(page, base, "市")
    total = int(page.get_attribute("#search-app", "data-count"))
    assert total > 20
    for shown in (20, 30):
        page.click("#search-more")
        page.wait_for_function(f"document.querySelectorAll('.search-result').length === {shown}")
    target = page.locator(".search-result").nth(25)
    target.scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # the scroll position is saved after scrolling stops
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 1000
    target.locator("a").click()
    page.wait_for_load_state()
    page.go_back()
    _wait(page)
    page.wait_for_function("document.querySelectorAll('.search-result').length === 30")
    assert abs(page.evaluate("window.scrollY") - scrolled) < 5
    page.context.close()


def test_the_title_names_the_query_and_the_status_echoes_it_as_typed(browser, base):
    page = _page(browser, 1280)
    _search(page, base, "营口 GDP")
    assert page.title() == "“营口 GDP”的搜索结果 - 营口新闻档案"
    assert "“营口 GDP”" in page.inner_text("#search-status")
    page.fill("#search-q", "港口")
    page.press("#search-q", "Enter")
    _wait(page)
    assert page.title() == "“港口”的搜索结果 - 营口新闻档案"
    page.context.close()


def test_the_article_page_highlight_has_the_search_page_colour(browser, base):
    page = _page(browser, 1280)
    _search(page, base, WORD)
    colour = page.eval_on_selector(".search-result-title mark", "m => getComputedStyle(m).backgroundColor")
    page.click(".search-result-title a")
    page.wait_for_function("document.querySelectorAll('article mark.search-highlight').length > 0")
    assert page.eval_on_selector("article mark.search-highlight",
                                 "m => getComputedStyle(m).backgroundColor") == colour == "rgb(255, 226, 122)"
    page.context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_facet_choices_are_at_least_24_px_to_tap(browser, base, width):
    page = _page(browser, width)
    _search(page, base, "营口")
    if width < 700:
        page.click("#search-filters > summary")
        page.wait_for_function("document.getElementById('search-app').dataset.facets === 'ready'")
        summary = page.locator("#search-filters > summary").bounding_box()
        assert summary["height"] >= 44
    sizes = page.eval_on_selector_all("#search-facets label", "ls => ls.map(l => l.getBoundingClientRect().height)")
    assert sizes and min(sizes) >= 24
    page.context.close()
