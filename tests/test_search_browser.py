"""The search page in a real browser (Debian's Chromium via Playwright).

A small archive -- synthetic articles plus three written here for the
ranking, traditional-text and mixed Latin/digit cases -- is built with the
real build, served over http on 127.0.0.1, and searched through the page.
Result sets are compared with the truth: the pages whose <article> text
contains the query, normalized the way search normalizes.
"""

from __future__ import annotations

import json
import re
import shutil
from urllib.parse import quote

import pytest

from search.page_manifest import embedded_manifest, manifest_json
from tests.browser import serve, site_url
from tests.helpers import build_synthetic_site
from tests.search_truth import article_texts, doc_urls, relevant

EXTRA = {
    "2025/12/title-match.md": """Title: 海铁联运新线路开通 营商环境再提升
Date: 2025-12-30
Topic: 港口物流、营商环境
District: 鲅鱼圈区
Agency: 营口市交通运输局
Slug: title-match

新线路开通后，企业物流成本明显下降。
""",
    "2019/01/traditional.md": """Title: 老照片里的营口港
Date: 2019-01-02
Topic: 文化旅游
District: 站前区
Slug: traditional-text

展览说明牌写着“營口港百年”，GDP和12345热线也在展板上。
""",
    "2020/06/latin.md": """Title: 5G基站建设提速
Date: 2020-06-15
Topic: 科技创新
District: 老边区
Slug: latin-digits

今年新建5G基站258座，带动数字经济增加值增长12.5%，CPU和AI企业落户园区。
""",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_synthetic_site(tmp_path_factory.mktemp("search"), 60, 3, EXTRA)


@pytest.fixture(scope="module")
def truth(site):
    return article_texts(site), doc_urls(site)


@pytest.fixture(scope="module")
def base(site):
    with site_url(site) as url:
        yield url


@pytest.fixture()
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def on_dialog(dialog):  # an alert() from injected script would land here
        errors.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page
    context.close()
    assert not errors, errors


def wait_done(page):
    page.wait_for_function(
        "() => { const a = document.getElementById('search-app');"
        " return ['done','message','error'].includes(a.dataset.state)"
        " && (a.dataset.state !== 'done' || ['ready','deferred'].includes(a.dataset.facets)); }", timeout=30000)


def open_search(page, base, query="", **params):
    parts = [f"q={quote(query)}"] if query else []
    parts += [f"{k}={quote(v)}" for k, v in params.items()]
    page.goto(base + "search/" + ("?" + "&".join(parts) if parts else ""))
    if query:
        wait_done(page)
    else:
        page.wait_for_function("document.getElementById('search-app').dataset.state === 'idle'")


def shown_urls(page, base):
    """Every result URL the page lists, pressing "more" until all are shown."""
    while page.is_visible("#search-more"):
        count = page.locator(".search-result").count()
        page.click("#search-more")
        # results are added one by one; "more" is usable again when the batch is complete
        page.wait_for_function(f"document.querySelectorAll('.search-result').length > {count}"
                               " && !document.getElementById('search-more').disabled")
    hrefs = page.eval_on_selector_all(".search-result-title a", "as => as.map(a => a.href)")
    return [re.sub(r"\?.*$", "", h).replace(base, "") for h in hrefs]


def all_ids(page, query, **options):
    return page.evaluate("([q, o]) => window.yingkouSearch(q, o)", [query, options])["ids"]


QUERIES = [
    # whole words, two-word phrases, substrings, mixed Latin/digits, traditional
    "营商环境", "港口物流", "高质量发展", "营商环境建设", "乡村振兴驻村", "商环",
    "区在全", "5G基站", "12345热线", "GDP", "gdp", "258座", "營商環境", "營口港", "营口港百年",
]


@pytest.mark.parametrize("query", QUERIES)
def test_result_sets_are_exact(page, base, truth, query):
    texts, id_to_url = truth
    expected = relevant(query, texts, {})
    open_search(page, base)
    got = {id_to_url[i] for i in all_ids(page, query)}
    assert got == expected


def _member_urls(site, member: str) -> set[str]:
    """The range URLs (under search/) of a member every segment names in the
    manifest ("facetData": its facet names, "docTable")."""
    manifest = json.loads((site / "search" / "manifest.json").read_text(encoding="utf-8"))
    bits = manifest["format"]["partBits"]
    return {f"seg/{s['name']}.{s[member][0] >> bits}.bin?v={s['source']}&r={s[member][0] % 2 ** bits}"
            for s in manifest["segments"]}


def test_a_failed_download_is_fetched_again(page, base, truth, site):
    texts, id_to_url = truth
    tables = _member_urls(site, "docTable")  # not needed for the ids: a failure there is the next test's
    open_search(page, base)
    failed = []

    def fail_once(route):
        if failed or route.request.url.split("/search/")[-1] in tables:
            route.continue_()
        else:
            failed.append(route.request.url)
            route.abort()

    page.route("**/search/seg/*", fail_once)
    outcome = page.evaluate("q => window.yingkouSearch(q).then(() => 'found', () => 'failed')",
                            "营商环境")
    assert outcome == "failed" and failed
    got = {id_to_url[i] for i in all_ids(page, "营商环境")}  # the same page, searching again
    assert got == relevant("营商环境", texts, {})


def test_documents_come_from_the_document_table_or_else_the_directory(page, base, truth, site):
    """The small demo index fetches every segment's document table with the
    first lookups and reads no document directory entry; when a table
    cannot be downloaded, the results still come, through the directory."""
    texts, id_to_url = truth
    tables = _member_urls(site, "docTable")
    expected = relevant("营商环境", texts, {})
    open_search(page, base, "营商环境")
    asked = page.evaluate("() => performance.getEntriesByType('resource').map(r => r.name)")
    asked = {name.split("/search/")[-1] for name in asked if "/search/seg/" in name}
    assert tables <= asked
    assert set(shown_urls(page, base)) == expected

    blocked = []
    fresh = page.context.new_page()

    def no_tables(route):
        if route.request.url.split("/search/")[-1] in tables:
            blocked.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    fresh.route("**/search/seg/*", no_tables)
    open_search(fresh, base, "营商环境")
    assert blocked and fresh.get_attribute("#search-app", "data-state") == "done"
    assert set(shown_urls(fresh, base)) == expected


def test_results_appear_one_by_one_as_their_documents_arrive(page, base, site):
    """The first result is on the page as soon as its document is here, not
    after all ten: with the documents of results 2-10 never arriving, the
    first was still shown (before the page reported the failure)."""
    from search import format as fmt
    from search.reader import SearchIndex

    index = SearchIndex(site / "search")
    ranked = index.search("营商环境")
    assert len(ranked) > 10

    def range_of(doc: int) -> tuple[str, str]:
        segment = next(s for s in index.segments if s.start <= doc < s.start + s.docs)
        offset = int(segment.doc_table[doc - segment.start][0])
        return f"seg/{segment.name}.{offset >> fmt.PART_BITS}.bin", f"&r={offset & ((1 << fmt.PART_BITS) - 1)}"

    withheld = {range_of(doc) for doc in ranked[1:10]}

    def withhold(route):
        url = route.request.url
        if any(part in url and url.endswith(place) for part, place in withheld):
            route.abort()
        else:
            route.continue_()

    page.add_init_script("""window.mostShown = 0;
      new MutationObserver(() => { window.mostShown = Math.max(window.mostShown,
        document.querySelectorAll('.search-result').length); })
        .observe(document, { childList: true, subtree: true });""")
    page.route("**/search/seg/*", withhold)
    open_search(page, base, "营商环境")
    assert page.get_attribute("#search-app", "data-state") == "error"
    assert page.evaluate("window.mostShown") == 1


def test_page_lists_exactly_the_truth_with_count(page, base, truth):
    texts, _ = truth
    expected = relevant("营商环境", texts, {})
    assert len(expected) > 10  # "more results" is exercised
    open_search(page, base, "营商环境")
    assert f"找到 {len(expected)} 篇" in page.inner_text("#search-status")
    assert set(shown_urls(page, base)) == expected
    assert page.get_attribute("#search-status", "aria-live") == "polite"


def test_traditional_query_and_traditional_text(page, base):
    open_search(page, base, "營口港百年")
    assert shown_urls(page, base) == ["2019/01/traditional-text/"]
    excerpt = page.inner_text(".search-result-excerpt")
    assert "营口港百年" in excerpt or "營口港百年" in excerpt


def test_title_matches_rank_first_and_the_page_orders_as_the_reference_reader(page, base, truth, site):
    from search.reader import SearchIndex

    open_search(page, base, "海铁联运")
    urls = shown_urls(page, base)
    assert urls[0] == "2025/12/title-match/"
    titles = page.eval_on_selector_all(".search-result-title", "hs => hs.map(h => h.textContent)")
    in_title = [("海铁联运" in t) for t in titles]
    assert in_title == sorted(in_title, reverse=True)
    index = SearchIndex(site / "search")
    ids = index.search("海铁联运")
    assert urls == [index.doc(i)["u"] for i in ids]


def test_sort_by_date(page, base):
    open_search(page, base, "营商环境", sort="oldest")
    shown_urls(page, base)
    dates = page.eval_on_selector_all(".search-result time", "ts => ts.map(t => t.dateTime)")
    assert dates == sorted(dates)
    page.select_option("#search-sort", "newest")
    wait_done(page)
    assert "sort=newest" in page.url
    dates = page.eval_on_selector_all(".search-result time", "ts => ts.map(t => t.dateTime)")
    assert dates == sorted(dates, reverse=True)


def test_filters_counts_url_state_and_back_button(page, base, truth, site):
    texts, id_to_url = truth
    expected = relevant("营商环境", texts, {})
    open_search(page, base, "营商环境")
    label = page.locator("fieldset.facet", has_text="地区").locator("label").nth(1)
    district_text = label.inner_text()
    district, count = re.match(r"\s*(\S+)\s*（(\d+)）", district_text).groups()
    label.click()
    wait_done(page)
    assert f"district={quote(district)}" in page.url
    urls = shown_urls(page, base)
    assert len(urls) == int(count)
    in_district = {u for u in expected
                   if district in (site / u / "index.html").read_text(encoding="utf-8")
                   .split('data-districts="')[1].split('"')[0].split("|")}
    assert set(urls) == in_district
    page.go_back()
    wait_done(page)
    assert "district=" not in page.url
    assert f"找到 {len(expected)} 篇" in page.inner_text("#search-status")
    page.go_forward()
    wait_done(page)
    assert f"找到 {count} 篇" in page.inner_text("#search-status")


def test_filter_by_year_and_topic_via_url(page, base, truth):
    texts, id_to_url = truth
    open_search(page, base, "营口", year="2025", topic="港口物流")
    dates = page.eval_on_selector_all(".search-result time", "ts => ts.map(t => t.dateTime)")
    assert dates and all(d.startswith("2025") for d in dates)
    metas = page.eval_on_selector_all(".search-result-meta", "ps => ps.map(p => p.textContent)")
    assert all("港口物流" in m for m in metas)


@pytest.mark.parametrize("query, message", [
    ("", "请输入要搜索的词语"),
    ("，。！？……", "没有可以搜索的文字"),
    ("营" * 1000, "搜索词太长"),
])
def test_bad_input_gives_a_clear_message(page, base, query, message):
    open_search(page, base)
    page.fill("#search-q", query)
    page.press("#search-q", "Enter")
    wait_done(page)
    assert message in page.inner_text("#search-status")
    assert page.locator(".search-result").count() == 0


def test_html_in_query_is_text_only(page, base):
    open_search(page, base)
    attack = '<img src=x onerror="alert(1)"><script>alert(2)</script>营口'
    page.fill("#search-q", attack)
    page.press("#search-q", "Enter")
    wait_done(page)
    status = page.inner_text("#search-status")
    assert "符号会被忽略" in status
    assert page.locator("#search-app img, #search-app script").count() == 0
    tags = set(page.eval_on_selector_all("#search-results *", "es => es.map(e => e.tagName)"))
    assert tags <= {"LI", "H2", "A", "MARK", "P", "TIME", "SPAN"}


def test_excerpt_has_no_inserted_spaces_and_marks_the_match(page, base):
    open_search(page, base, "5G基站")
    excerpt = page.locator(".search-result-excerpt").first
    assert excerpt.locator("mark").first.inner_text() == "5G基站"
    text = excerpt.inner_text()
    assert "\u200b" not in text and not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", text)


def test_ime_composition_does_not_search(page, base):
    open_search(page, base)
    page.focus("#search-q")
    page.dispatch_event("#search-q", "compositionstart")
    page.fill("#search-q", "ying")
    page.wait_for_timeout(700)
    assert page.evaluate("document.getElementById('search-app').dataset.state") == "idle"
    page.fill("#search-q", "营口")
    page.dispatch_event("#search-q", "compositionend")
    wait_done(page)
    assert "q=%E8%90%A5%E5%8F%A3" in page.url


def test_keyboard_only(page, base):
    open_search(page, base)
    page.focus("#search-q")
    page.keyboard.type("营商环境")
    page.keyboard.press("Enter")
    wait_done(page)
    # Tab from the sort box reaches the facets' radios, then the results
    page.focus("#search-sort")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "radio"
    page.keyboard.press("ArrowDown")
    wait_done(page)
    assert "topic=" in page.url
    page.focus("#search-more") if page.is_visible("#search-more") else None


def test_result_opens_article_with_highlight(page, base):
    open_search(page, base, "营口港百年")
    page.click(".search-result-title a")
    page.wait_for_load_state()
    assert "highlight=" in page.url
    if page.locator("script[src$='highlight.js']").count() == 0:
        # until article.html includes the script, load it the same way
        page.add_script_tag(url=base + "theme/js/highlight.js", type="module")
    page.wait_for_function("document.querySelectorAll('article mark.search-highlight').length > 0")
    marks = page.eval_on_selector_all("article mark.search-highlight", "ms => ms.map(m => m.textContent)")
    assert "".join(marks) in ("營口港百年", "营口港百年")


def test_works_from_a_sub_folder(browser, site, tmp_path):
    parent = tmp_path / "host"
    shutil.copytree(site, parent / "archive")
    server = serve(parent)
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/archive/search/?q={quote('营商环境')}")
        wait_done(page)
        assert "找到" in page.inner_text("#search-status")
        href = page.get_attribute(".search-result-title a", "href")
        assert "/archive/" in page.eval_on_selector(".search-result-title a", "a => a.href")
        assert href
        page.close()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("carried_by", ["page", "manifest.json"])
def test_an_index_of_another_format_is_refused_with_a_message(browser, site, tmp_path, carried_by):
    """A page meeting an index of another format (a half-finished deploy,
    an old cached script): the format version says so, and the page tells
    the reader instead of reading the files wrongly.  The manifest is read
    from the page (search/page_manifest.py), or from manifest.json when the
    page carries none (a site built without the index)."""
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    page_file = copy / "search" / "index.html"
    manifest = embedded_manifest(page_file.read_text(encoding="utf-8"))
    manifest["version"] += 1
    if carried_by == "page":
        _write_page_manifest(page_file, manifest_json(manifest))
    else:
        _write_page_manifest(page_file, "")
        (copy / "search" / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    server = serve(copy)
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/search/?q={quote('营商环境')}")
        wait_done(page)
        assert page.get_attribute("#search-app", "data-state") == "error"
        assert "版本不一致" in page.inner_text("#search-status")
        assert page.locator(".search-result").count() == 0
        page.close()
    finally:
        server.shutdown()
        server.server_close()


def _write_page_manifest(page_file, text: str) -> None:
    html = page_file.read_text(encoding="utf-8")
    start = html.index('<script type="application/json" id="search-manifest">')
    start = html.index(">", start) + 1
    end = html.index("</script>", start)
    page_file.write_text(html[:start] + text + html[end:], encoding="utf-8")


def test_the_first_search_reads_the_manifest_from_the_page(page, base, site):
    """The build writes the manifest into the search page: it equals
    manifest.json, and the page's first search requests no manifest."""
    html = (site / "search" / "index.html").read_text(encoding="utf-8")
    assert embedded_manifest(html) == json.loads((site / "search" / "manifest.json").read_text(encoding="utf-8"))
    open_search(page, base, "营口")
    assert page.locator(".search-result").count() >= 1
    requested = page.evaluate("() => performance.getEntriesByType('resource').map(r => r.name)")
    assert any("/search/seg/" in name for name in requested)
    assert not [name for name in requested if "manifest.json" in name]


def test_facet_data_waits_until_the_first_results_are_shown(page, base, site):
    """Without filters the results need no facet data: its ranges are asked
    for only after the results are on the page, so on a slow line they do
    not share it with the lookups; with a filter they come first."""
    attrs = _member_urls(site, "facetData")
    timing = """() => [performance.getEntriesByName('search:results').pop().startTime,
      performance.getEntriesByType('resource').map(r => [r.name, r.startTime])]"""
    open_search(page, base, "营口")
    shown, requests = page.evaluate(timing)
    asked = {name.split("/search/")[-1]: start for name, start in requests if "/search/seg/" in name}
    assert attrs <= set(asked), attrs - set(asked)  # the counts came, with the facet data
    assert all(asked[name] >= shown for name in attrs), (shown, {n: asked[n] for n in attrs})

    fresh = page.context.new_page()
    open_search(fresh, base, "营商环境", topic="营商环境")
    assert fresh.locator(".search-result").count() >= 1
    shown, requests = fresh.evaluate(timing)
    asked = {name.split("/search/")[-1]: start for name, start in requests if "/search/seg/" in name}
    assert all(asked[name] < shown for name in attrs)
