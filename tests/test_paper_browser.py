"""The page view in Chromium: a click on a region opens its article, Tab
walks the regions in reading order, and the regions stay on the image at
phone and desktop widths."""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import DEMO_CONTENT

ISSUE = yaml.safe_load((DEMO_CONTENT / "issues/2024/2024-09-10-ykxwdaslbm.yml").read_text(encoding="utf-8"))
PAGE_URLS = {page["label"]: f"issues/2024/09/10/ykxwdaslbm-p{page['label'][1:3]}/" for page in ISSUE["pages"]}


def _title(file: str) -> str:
    for line in (DEMO_CONTENT / file).read_text(encoding="utf-8").splitlines():
        if line.startswith("Title:"):
            return line[6:].strip()
    raise AssertionError(file)


def _points(region) -> list[tuple[float, float]]:
    if isinstance(region[0], list):
        return [tuple(p) for p in region]
    x1, y1, x2, y2 = region
    return [(x1, y1), (x2, y1), (x2, y2), (x1, y2)]


@pytest.fixture(scope="module")
def base(demo_url):
    return demo_url


def _open(browser, base, url, width):
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(base + url)
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    return page


def _image_box(page):
    return page.eval_on_selector(".paper-sheet img", "i => { const r = i.getBoundingClientRect();"
                                 " return [r.left, r.top, r.width, r.height, i.naturalWidth]; }")


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("label", ["第01版", "第05版"])
def test_a_click_on_a_region_opens_its_article(browser, base, width, label):
    source = next(p for p in ISSUE["pages"] if p["label"] == label)
    for number, entry in enumerate(source["articles"]):
        page = _open(browser, base, PAGE_URLS[label], width)
        left, top, shown_width, _height, _natural = _image_box(page)
        scale = shown_width / 1000  # the drawn pages are 1000 px wide
        x, y = _points(entry["region"])[0]
        page.locator(f'.sheet-regions a[data-number="{number + 1}"]').scroll_into_view_if_needed()
        left, top, *_ = _image_box(page)
        with page.expect_navigation():
            page.mouse.click(left + (x + 25) * scale, top + (y + 25) * scale)
        slug = entry["file"].rsplit("/", 1)[1][:-3]
        assert page.url.endswith(f"/2024/09/{slug}/"), (label, number, page.url)
        assert page.text_content("h1.article-title") == _title(entry["file"])
        page.context.close()


def test_tab_reaches_every_region_in_reading_order_with_a_visible_outline(browser, base):
    source = next(p for p in ISSUE["pages"] if p["label"] == "第05版")
    page = _open(browser, base, PAGE_URLS["第05版"], 1280)
    page.focus(".paper-nav li:last-child a")  # 下一期: the last link before the page image
    names, strokes = [], []
    for _ in source["articles"]:
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.getAttribute('aria-label')"))
        strokes.append(page.evaluate("getComputedStyle(document.activeElement.querySelector('polygon')).stroke"))
    assert names == [_title(entry["file"]) for entry in source["articles"]]
    assert set(strokes) == {"rgb(179, 92, 0)"}  # the focus outline, not the transparent rest
    page.keyboard.press("Tab")  # then the list of the page's articles
    assert page.evaluate("document.activeElement.closest('.paper-articles') !== null")
    page.hover('.sheet-regions a[data-number="2"]')
    hovered = page.eval_on_selector('.sheet-regions a[data-number="2"] polygon', "p => getComputedStyle(p).stroke")
    assert hovered == "rgb(11, 92, 173)"
    page.context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_regions_line_up_with_the_image(browser, base, width):
    for label, url in PAGE_URLS.items():
        source = next(p for p in ISSUE["pages"] if p["label"] == label)
        page = _open(browser, base, url, width)
        left, top, shown_width, shown_height, _natural = _image_box(page)
        natural = 1000  # regions are in the source image's pixels (1000 x 1400), whichever srcset file is shown
        assert shown_width <= width and shown_width > width * 0.5
        boxes = page.eval_on_selector_all(".sheet-regions polygon", "ps => ps.map(p => {"
                                          " const r = p.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })")
        assert len(boxes) == len(source["articles"])
        for entry, box in zip(source["articles"], boxes, strict=True):
            xs, ys = zip(*_points(entry["region"]), strict=True)
            expected = [left + min(xs) * shown_width / natural, top + min(ys) * shown_height / 1400,
                        left + max(xs) * shown_width / natural, top + max(ys) * shown_height / 1400]
            assert all(abs(a - b) < 1.0 for a, b in zip(box, expected, strict=True)), (label, width, box, expected)
        page.context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_page_and_day_links_are_at_least_24_px(browser, base, width):
    for url in (PAGE_URLS["第05版"], "issues/2024/09/10/", "issues/2024/"):
        page = _open(browser, base, url, width)
        sizes = page.eval_on_selector_all(".paper-nav a, .page-thumbs a, .calendar-month a", "as => as.map(a => {"
                                          " const r = a.getBoundingClientRect(); return [r.width, r.height]; })")
        assert sizes and all(w >= 24 and h >= 24 for w, h in sizes), (url, sizes)
        page.context.close()
