"""Reader-facing page details (issue 14, Pages): the favicon, the term
overviews counted as on the home page, the agency's district as a link, the
404 page at any depth, versioned asset URLs safe to cache for a year, and
categories in the feeds.  The browser checks are in tests/test_pages_browser.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from sitebuild.build import build_site
from yingkou_archive import assets
from yingkou_archive.bundle import BUNDLE_SUFFIX, entry_of

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "theme" / "static"
ATOM = "{http://www.w3.org/2005/Atom}"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def local_target(site: Path, page: Path, url: str) -> Path:
    """The output file a same-site URL of ``page`` names."""
    rel = page.relative_to(site).as_posix()
    path = urlsplit(urljoin(f"http://site/{rel}", url)).path.lstrip("/")
    target = site / path
    return target / "index.html" if path.endswith("/") or not path else target


def test_every_page_links_a_favicon_that_exists(demo_site):
    pages = list(demo_site.rglob("*.html"))
    assert len(pages) > 100
    for page in pages:
        if "/search/doc/" in page.as_posix():
            continue
        icon = soup(page).find("link", rel="icon")
        assert icon is not None, page
        assert re.search(r"favicon\.svg\?v=[0-9a-f]{10}$", icon["href"]), icon
        target = local_target(demo_site, page, icon["href"])
        assert target.read_bytes().startswith(b"<svg"), page


def _overview_links(site: Path, plural: str) -> dict[str, str]:
    html = soup(site / plural / "index.html").find("main")
    return {a.get_text(strip=True): a["href"] for a in html.select("li a")}


def test_term_overviews_list_what_the_home_page_counts(demo_site):
    home = soup(demo_site / "index.html")
    agencies_line = home.find("a", string=re.compile(r"全部 \d+ 个部门"))
    home_count = int(re.search(r"\d+", agencies_line.get_text()).group())
    page = soup(demo_site / "agencies" / "index.html").find("main")
    assert "0 篇" not in page.get_text()
    assert not page.select(".empty")
    items = page.select(".term-table > li")
    assert len(items) == home_count
    assert all(item.find("a") for item in items)  # every agency shown is a link
    assert f"共 {home_count} 个部门有文章" in page.get_text()
    for plural in ("topics", "districts", "agencies"):
        main = soup(demo_site / plural / "index.html").find("main")
        assert "0 篇" not in main.get_text(), plural
        for href in _overview_links(demo_site, plural).values():
            assert local_target(demo_site, demo_site / plural / "index.html", href).exists(), href


def test_an_agency_page_links_its_district(demo_site):
    linked = 0
    for page in (demo_site / "agencies").glob("*/index.html"):
        line = soup(page).find(class_="term-district")
        if line is None:
            continue
        link = line.find("a")
        assert link is not None, page
        target = local_target(demo_site, page, link["href"])
        assert target.exists() and "/districts/" in target.as_posix(), target
        assert soup(target).find("h1").get_text(" ", strip=True).endswith(link.get_text()), target
        linked += 1
    assert linked >= 10


# -- 404 ------------------------------------------------------------------------

def _urls(page: BeautifulSoup) -> list[str]:
    found = [tag.get("href") or tag.get("src") or tag.get("action")
             for tag in page.find_all(["a", "link", "script", "img", "form"])]
    return [u for u in found if u is not None]


def test_404_links_from_the_site_root_in_a_local_build(demo_site):
    page = soup(demo_site / "404.html")
    for url in _urls(page):
        if url.startswith("#") or url.startswith("http://localhost:8000/"):  # canonical, og
            continue
        assert url.startswith("/"), url
        path = urlsplit(url).path.lstrip("/")
        target = demo_site / path
        assert (target / "index.html" if not path or path.endswith("/") else target).exists(), url


def test_404_links_under_the_published_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SITEURL", "https://news.example.org/yingkou")
    out = tmp_path / "out"
    build_site(output_dir=out, settings_file=ROOT / "publishconf.py", search=False)
    page = soup(out / "404.html")
    stylesheet = page.find("link", rel="stylesheet")["href"]
    assert stylesheet.startswith("/yingkou/theme/css/site.css?v="), stylesheet
    assert page.find("a", class_="site-name")["href"] == "/yingkou/"


def test_site_root_path_comes_from_siteurl():
    from urllib.parse import urlsplit as split

    import pelicanconf

    assert split(pelicanconf.SITEURL).path.rstrip("/") == pelicanconf.SITE_ROOT_PATH


# -- versioned assets -------------------------------------------------------------

ASSET = re.compile(r"(?:\.\./|/)*theme/(css|js|images)/([\w.-]+)\?v=([0-9a-f]{10})$")


def test_a_changed_script_gets_a_new_version_under_a_kept_compiled_template(tmp_path, monkeypatch):
    """Templates are compiled once and kept (plugins/archive_templates);
    the version of a script they name must still follow the script."""
    import jinja2

    import pelicanconf

    static = tmp_path / "static"
    (static / "js").mkdir(parents=True)
    monkeypatch.setattr(pelicanconf, "_THEME_STATIC", str(static))
    cache = tmp_path / "compiled"
    cache.mkdir()
    source = "<script src=\"/theme/js/app.js?v={{ 'js/app.js' | asset_version }}\"></script>"

    def render() -> str:
        env = jinja2.Environment(loader=jinja2.DictLoader({"page.html": source}),
                                 bytecode_cache=jinja2.FileSystemBytecodeCache(str(cache)))
        env.filters.update(pelicanconf.JINJA_FILTERS)
        return env.get_template("page.html").render()

    versions = []
    for text in ("export const a = 1;\n", "export const a = 2;\n"):
        (static / "js" / "app.js").write_text(text, encoding="utf-8")
        versions.append(ASSET.search(render().split('"')[1]).group(3))
        assert versions[-1] == assets.published(static / "js" / "app.js")[0]
    assert any(cache.iterdir())  # the second page came from the kept template
    assert versions[0] != versions[1]


def test_every_asset_url_carries_its_content_hash(demo_site):
    seen = set()
    for page in demo_site.rglob("*.html"):
        if "/search/doc/" in page.as_posix():
            continue
        tree = soup(page)
        for tag in tree.find_all(["link", "script"]):
            url = tag.get("href") if tag.name == "link" else tag.get("src")
            if not url or tag.get("type") == "application/ld+json" or tag.get("rel") in (
                    ["canonical"], ["alternate"]):
                continue
            if "/search/" in url and "theme" not in url:
                continue  # the search index: versioned inside its manifest
            match = ASSET.search(url)
            assert match, f"{page}: {url}"
            folder, name, version = match.groups()
            published = (demo_site / "theme" / folder / name).read_bytes()
            if name.endswith(BUNDLE_SUFFIX):
                expected = assets.bundled(STATIC / folder / entry_of(name))
            else:
                expected = assets.published(STATIC / folder / name)
            assert (version, published) == expected, url
            seen.add(f"{folder}/{name}")
    assert {"css/site.css", "css/search.css", "js/search.bundle.js", "js/highlight.js",
            "images/favicon.svg"} <= seen


def test_the_search_page_loads_its_modules_as_one_bundle(demo_site):
    search_page = soup(demo_site / "search" / "index.html")
    preloaded = [tag["href"] for tag in search_page.find_all("link", rel="modulepreload")]
    scripts = [tag["src"] for tag in search_page.find_all("script", src=True)]
    assert len(scripts) == 1 and scripts[0].split("/")[-1].startswith("search.bundle.js?v=")
    # preloaded under the URL the script tag uses, so it is fetched once
    assert preloaded == scripts
    text = (demo_site / "theme" / "js" / "search.bundle.js").read_text(encoding="utf-8")
    assert not re.search(r"^\s*import\b", text, re.M), "the bundle imports nothing"


def test_published_modules_import_each_other_by_version(demo_site):
    imported = set()
    for module in (demo_site / "theme" / "js").glob("*.js"):
        text = module.read_text(encoding="utf-8")
        for spec in re.findall(r"""(?:from|import)\s*\(?\s*["'](\.[^"']+)["']""", text):
            name, _, version = spec.removeprefix("./").partition("?v=")
            assert version == assets.published(STATIC / "js" / name)[0], (module, spec)
            imported.add(name)
    assert {"search-engine.js", "search-pack.js", "search-rules.js", "search-segment.js",
            "search-tokens.js"} <= imported


def test_a_changed_module_changes_the_urls_of_its_importers(tmp_path):
    (tmp_path / "leaf.js").write_text('export const a = 1;\n', encoding="utf-8")
    (tmp_path / "mid.js").write_text('import { a } from "./leaf.js";\nexport const b = a;\n',
                                     encoding="utf-8")
    (tmp_path / "top.js").write_text("import { b } from './mid.js';\nconsole.log(b);\n",
                                     encoding="utf-8")
    before = {name: assets.asset_version(tmp_path, name) for name in ("leaf.js", "mid.js", "top.js")}
    text = assets.published(tmp_path / "top.js")[1].decode()
    assert f"'./mid.js?v={before['mid.js']}'" in text
    (tmp_path / "leaf.js").write_text('export const a = 2;  // changed\n', encoding="utf-8")
    after = {name: assets.asset_version(tmp_path, name) for name in ("leaf.js", "mid.js", "top.js")}
    assert all(before[name] != after[name] for name in before), (before, after)


def test_module_cycles_are_refused(tmp_path):
    (tmp_path / "a.js").write_text('import "./b.js";\n', encoding="utf-8")
    (tmp_path / "b.js").write_text('import "./a.js";\n', encoding="utf-8")
    with pytest.raises(ValueError, match="循环"):
        assets.asset_version(tmp_path, "a.js")


def test_hosting_guide_caches_versioned_assets_only():
    text = (ROOT / "docs" / "hosting.md").read_text(encoding="utf-8")
    assert "`/theme/*` (" in text and "/theme/js/*" not in text


def test_readme_names_the_command_for_deployable_output():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Which command makes deployable output", 1)[1].split("\n## ", 1)[0]
    assert "publishconf.py" in section and "SITEURL=" in section and "invoke preview" in section
    assert "invoke preview" in (ROOT / "tasks.py").read_text(encoding="utf-8") or "def preview" in (
        ROOT / "tasks.py").read_text(encoding="utf-8")


# -- the monthly chart ----------------------------------------------------------

def test_chart_keeps_its_proportions_and_links_each_month():
    import datetime as dt

    from yingkou_archive.monthly_chart import monthly_chart_svg

    dates = [dt.date(2023, 11, 2), dt.date(2024, 2, 1), dt.date(2024, 2, 9)]
    svg = monthly_chart_svg(dates, "港口物流", "../..")
    assert "preserveAspectRatio" not in svg
    links = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)"', svg)
    assert links == [("../../2023/11/", "2023年11月：1 篇"), ("../../2024/02/", "2024年2月：2 篇")]


def test_chart_bars_of_a_list_open_the_month_in_that_list():
    """A term's chart links each month to the stable list page holding the
    month's newest article, at the month's first item."""
    import datetime as dt
    import random

    from yingkou_archive.monthly_chart import MonthlyChart
    from yingkou_archive.paging import page_url, stable_pages

    rng = random.Random(5)
    for count in (1, 25, 41, 60, 61, 137):
        dates = sorted((dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(1500)) for _ in range(count)),
                       reverse=True)
        chart = MonthlyChart(dates, "x", "topics/t/", 20)
        where = {}
        for page in stable_pages(dates, 20):
            for date in page.articles:
                where.setdefault((date.year, date.month), page_url("topics/t/", page.number))
        assert set(chart.links) == set(where)
        for (year, month), url in chart.links.items():
            assert url == f"{where[(year, month)]}#m-{year:04d}-{month:02d}", (count, year, month)
        assert f'href="../../{chart.links[(dates[-1].year, dates[-1].month)]}"' in chart.svg("../..")


def test_chart_year_labels_do_not_overlap():
    import datetime as dt

    from yingkou_archive.monthly_chart import LABEL_ROOM, monthly_chart_svg

    dates = [dt.date(year, 1, 1) for year in range(1990, 2025)]
    xs = [float(x) for x in re.findall(r'<text x="([\d.]+)"', monthly_chart_svg(dates, "x"))]
    assert len(xs) >= 5
    assert all(b - a >= LABEL_ROOM for a, b in zip(xs, xs[1:], strict=False))


# -- feeds ----------------------------------------------------------------------

def test_feed_entries_carry_their_topics_districts_and_agencies(demo_site):
    import xml.etree.ElementTree as ET

    from yingkou_archive.content_check import check_content
    from yingkou_archive.kinds import TAXONOMY_KINDS

    report = check_content(ROOT / "content")
    by_title = {m.title: [n for kind in TAXONOMY_KINDS for n in m.terms[kind.name]] for m in report.articles}
    with_agency = 0
    for feed in (demo_site / "feeds" / "all.atom.xml", demo_site / "topics" / "gangkou-wuliu" / "atom.xml"):
        entries = ET.parse(feed).getroot().findall(f"{ATOM}entry")
        assert entries
        for entry in entries:
            terms = [c.get("term") for c in entry.findall(f"{ATOM}category")]
            expected = by_title[entry.find(f"{ATOM}title").text]
            assert terms == list(dict.fromkeys(expected)), entry.find(f"{ATOM}title").text
            with_agency += len(terms) > 2
    assert with_agency
