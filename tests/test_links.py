"""Every internal reference in the built demo resolves; nothing is external."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urlsplit

from tests.helpers import parse_page

EXTERNAL_SCHEMES = ("http:", "https:", "//")


def _target(site, page, url):
    parts = urlsplit(url)
    page_url = "/" + str(page.relative_to(site).parent).replace("\\", "/") + "/"
    resolved = posixpath.normpath(posixpath.join(page_url, unquote(parts.path)))
    if parts.path.endswith("/") or parts.path in ("", "."):
        resolved = resolved.rstrip("/") + "/index.html"
    return site / resolved.lstrip("/")


def test_every_internal_reference_resolves(demo_site):
    pages = sorted(demo_site.rglob("*.html"))
    assert len(pages) > 100
    broken = []
    checked = 0
    for page in pages:
        for tag, attr, url in parse_page(page).references:
            if url.startswith(("mailto:", "tel:", "#")) or url.startswith(EXTERNAL_SCHEMES):
                continue
            checked += 1
            target = _target(demo_site, page, url)
            if not target.is_file():
                broken.append(f"{page.relative_to(demo_site)}: <{tag} {attr}={url}>")
    assert checked > 1000
    assert not broken, "\n".join(broken[:20])


def test_no_external_requests(demo_site):
    """Stylesheets, scripts, images, fonts and frames come from the site itself."""
    offenders = []
    for page in demo_site.rglob("*.html"):
        for tag, attr, url in parse_page(page).references:
            if tag == "a":
                continue
            if url.startswith(EXTERNAL_SCHEMES):
                offenders.append(f"{page.relative_to(demo_site)}: <{tag} {attr}={url}>")
    for css in demo_site.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        if "@import" in text or "url(http" in text or "url(//" in text:
            offenders.append(str(css))
    assert not offenders, "\n".join(offenders[:20])


def test_internal_links_are_relative_so_any_folder_works(demo_site):
    html = (demo_site / "topics" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="\.\./theme/css/site\.css\?v=[0-9a-f]{10}"', html)
    assert "http://localhost" not in html.split("<body>")[1]
