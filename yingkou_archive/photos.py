"""An article's photos as readers' browsers and link previews need them.

The body's ``<img>`` tags (sanitized HTML, from yingkou_archive/figures.py)
get the resized copies of yingkou_archive/images.py: ``srcset`` and
``sizes`` (the browser picks the width it needs), ``width``/``height`` (the
page does not jump when the photo arrives), lazy loading for every photo but
a first one near the top, which the reader sees at once.  The first photo is
also the page's ``og:image`` and the NewsArticle's ``image``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

# The article column: 40em of 17 px (site.css --measure), the full width
# less the page margins below 46em.
SIZES = "(min-width: 46em) 680px, calc(100vw - 2rem)"
# A first photo after at most this many paragraphs is on the first screen.
EAGER_AFTER_PARAGRAPHS = 2
SHARE_WIDTH = 1280  # og:image: the widest copy up to this

_IMG = re.compile(r"<img\b([^>]*)>")
_ATTR = re.compile(r'\s([a-z-]+)="([^"]*)"')


def _source_of(src: str, sources: Sequence[str]) -> str | None:
    path = html.unescape(src).split("?", 1)[0].split("#", 1)[0]
    for source in sources:
        if path == source or path.endswith("/" + source):
            return source
    return None


def responsive_images(body: str, image_sets: dict, siteurl: str) -> str:
    """``body`` with each photo of ``image_sets`` (content path -> ImageSet)
    given srcset, sizes, width, height and its loading."""
    sources = sorted(image_sets, key=len, reverse=True)
    seen = {"first": True}

    def rewrite(match: re.Match) -> str:
        attrs = dict(_ATTR.findall(match.group(1)))
        source = _source_of(attrs.get("src", ""), sources)
        if source is None:
            return match.group(0)
        chosen = image_sets[source].attributes(siteurl, SHARE_WIDTH)
        first, seen["first"] = seen["first"], False
        near_top = body.count("<p", 0, match.start()) <= EAGER_AFTER_PARAGRAPHS
        attrs.update(src=chosen["src"], srcset=chosen["srcset"], sizes=SIZES,
                     width=str(chosen["width"]), height=str(chosen["height"]),
                     loading="eager" if first and near_top else "lazy", decoding="async")
        ordered = ["alt", "src", "srcset", "sizes", "width", "height", "loading", "decoding"]
        names = [n for n in ordered if n in attrs] + sorted(n for n in attrs if n not in ordered)
        # values come from the sanitized body or from our own file names
        return "<img" + "".join(f' {n}="{html.escape(html.unescape(attrs[n]))}"' for n in names) + ">"

    return _IMG.sub(rewrite, body)


def share_image(image_sets_in_order: Sequence, site_url: str) -> dict | None:
    """The first photo as og:image / JSON-LD image: an absolute URL, size."""
    if not image_sets_in_order:
        return None
    chosen = image_sets_in_order[0].attributes(site_url, SHARE_WIDTH)
    return {"url": chosen["src"], "width": chosen["width"], "height": chosen["height"]}
