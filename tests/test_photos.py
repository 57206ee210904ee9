"""Article photos (issue 14, Pages): srcset and sizes from the resized
copies, width and height, lazy loading below the fold; og:image from the
first photo (the site's default image otherwise) and ``image`` in the
NewsArticle JSON-LD; a replaced photo renders its pages again."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from sitebuild.build import build_site
from tests.helpers import tree_digest
from yingkou_archive.images import plan
from yingkou_archive.photos import SIZES, responsive_images

ROOT = Path(__file__).resolve().parent.parent
ROROSHIP = "2024/07/2024-07-10-roro-car-exports/"


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _file(site: Path, page: Path, url: str) -> Path:
    rel = page.relative_to(site).as_posix()
    return site / urlsplit(urljoin(f"http://h/{rel}", url)).path.lstrip("/")


def _article_pages(site: Path):
    for page in sorted(site.glob("20*/*/*/index.html")):
        yield page, _soup(page)


def test_body_photos_get_srcset_sizes_width_height(tmp_path):
    (tmp_path / "images").mkdir()
    Image.new("RGB", (2000, 1000), "#336699").save(tmp_path / "images" / "a.jpg")
    sets = {"images/a.jpg": plan(tmp_path, "images/a.jpg")}
    body = ('<p>一</p><figure><img alt="甲" loading="lazy" src="../../../images/a.jpg"></figure>'
            '<p>二</p><p>三</p><p>四</p><figure><img alt="乙" loading="lazy" src="../../../images/a.jpg"></figure>'
            '<p><img alt="外" src="../../../images/other.png"></p>')
    out = responsive_images(body, sets, "../../..")
    imgs = re.findall(r"<img[^>]*>", out)
    assert 'srcset="../../../derived/images/a-320w-' in imgs[0] and " 1280w" in imgs[0]
    assert 'width="1280" height="640"' in imgs[0] and f'sizes="{SIZES}"' in imgs[0]
    assert 'loading="eager"' in imgs[0]  # the first photo, near the top
    assert 'loading="lazy"' in imgs[1]
    assert imgs[2] == '<img alt="外" src="../../../images/other.png">'  # not a content photo: as it was


def test_every_article_photo_is_responsive_and_its_copies_exist(demo_site):
    photos = 0
    for page, tree in _article_pages(demo_site):
        for index, img in enumerate(tree.select(".article-body img")):
            photos += 1
            assert img.get("sizes") == SIZES, page
            width, height = int(img["width"]), int(img["height"])
            src = _file(demo_site, page, img["src"])
            with Image.open(src) as image:
                assert image.size == (width, height), (page, img)
            candidates = [c.strip().split(" ") for c in img["srcset"].split(",")]
            assert len(candidates) >= 2
            for url, descriptor in candidates:
                with Image.open(_file(demo_site, page, url)) as image:
                    assert f"{image.width}w" == descriptor
                    assert abs(image.width / image.height - width / height) < 0.01
            if index > 0:
                assert img["loading"] == "lazy"
    assert photos >= 5


def _jsonld(tree) -> dict:
    return json.loads(tree.find("script", type="application/ld+json").string)


def _og(tree, name) -> str | None:
    tag = tree.find("meta", property=f"og:{name}")
    return tag["content"] if tag else None


def test_og_image_is_the_first_photo_or_the_site_image(demo_site):
    with_photo = without = 0
    for page, tree in _article_pages(demo_site):
        first = tree.select_one(".article-body img")
        og = _og(tree, "image")
        assert og and og.startswith("http://localhost:8000/"), page
        assert _jsonld(tree)["image"] == [og]
        local = demo_site / urlsplit(og).path.lstrip("/")
        with Image.open(local) as image:
            assert (str(image.width), str(image.height)) == (_og(tree, "image:width"), _og(tree, "image:height"))
        if first is not None:
            with_photo += 1
            assert local.name == _file(demo_site, page, first["src"]).name
        else:
            without += 1
            assert local.name == "og-default.png"
            assert (image.width, image.height) == (1200, 630)
    assert with_photo >= 5 and without >= 5
    home = _soup(demo_site / "index.html")
    assert urlsplit(_og(home, "image")).path == "/theme/images/og-default.png"


def test_a_replaced_photo_renders_its_page_again(content_copy, tmp_path):
    out = tmp_path / "out"
    build_site(content_copy, out, search=False)
    page = out / ROROSHIP / "index.html"
    before = _soup(page).select_one(".article-body img")["srcset"]
    photo = content_copy / "images" / "2024" / "roro-ship.png"
    with Image.open(photo) as image:
        Image.new("RGB", image.size, "#884422").save(photo)
    build_site(content_copy, out, search=False)
    after = _soup(page).select_one(".article-body img")["srcset"]
    assert after != before
    clean = tmp_path / "clean"
    build_site(content_copy, clean, search=False, overrides={"CACHE_PATH": str(tmp_path / "c2")})
    assert tree_digest(out) == tree_digest(clean)


@pytest.mark.parametrize("width", (390, 1280))
def test_photos_take_their_place_before_they_load(browser, demo_url, width):
    """With photos blocked, each still has its height: no layout shift."""
    page = browser.new_page(viewport={"width": width, "height": 844})
    page.route(re.compile(r".*/derived/.*"), lambda route: route.abort())
    page.goto(demo_url + ROROSHIP)
    box = page.evaluate("""(() => { const img = document.querySelector('.article-body img');
        const r = img.getBoundingClientRect();
        return {w: r.width, h: r.height, ratio: img.width / img.height,
                attr: img.getAttribute('width') / img.getAttribute('height')}; })()""")
    assert box["w"] > 100 and abs(box["w"] / box["h"] - box["attr"]) < 0.02, box
    page.unroute(re.compile(r".*/derived/.*"))
    page.reload()
    page.wait_for_function("document.querySelector('.article-body img').complete")
    chosen = page.evaluate("document.querySelector('.article-body img').currentSrc")
    assert "/derived/" in chosen
    page.close()
