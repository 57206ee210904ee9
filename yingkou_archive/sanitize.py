"""Making article HTML safe to publish.

Markdown lets editors (and the importer) pass raw HTML through.  Everything
that reaches a page is cleaned here with nh3 (the Rust ``ammonia``
sanitizer): no ``<script>``, no event-handler attributes, no
``javascript:`` URLs, no iframes, forms or styles.  When cleaning removes
text a reader would have seen, :func:`removed_text` says which, and the
article is refused rather than published short.
"""

from __future__ import annotations

import html
import re

import nh3

# Structural elements the theme owns are not allowed in a body: an article
# page must contain exactly one <article>, and no extra landmarks.
_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "dl", "dt", "em", "figcaption", "figure", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "abbr": {"title"},
    "h2": {"id"},
    "h3": {"id"},
}
_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def clean_html(fragment: str) -> str:
    """Return ``fragment`` with everything unsafe removed."""
    return nh3.clean(
        fragment,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


# Text meant to be read: a closed <script>…</script> or <style>…</style>
# element was never shown, but the text after an unclosed "<script>" (an
# editor writing about the tag) was, and nh3 drops it to the end.
_CLOSED_CODE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_MARKUP = re.compile(r"<!--.*?(?:-->|$)|</?[A-Za-z][^>]*>", re.S)
_SPACE = re.compile(r"\s+")
# how much of the removed text a message quotes
QUOTED_CHARS = 20


def visible_text(fragment: str) -> str:
    """The text of an HTML fragment a reader would see, spaces removed."""
    return _SPACE.sub("", html.unescape(_MARKUP.sub("", _CLOSED_CODE.sub("", fragment))))


def removed_text(before: str, after: str) -> str:
    """The start of the visible text that cleaning removed ("" if none)."""
    return first_lost(visible_text(before), visible_text(after))


def first_lost(typed: str, kept: str) -> str:
    """The start of what ``kept`` lacks of ``typed`` ("" when they agree)."""
    if typed == kept:
        return ""
    start = next((i for i, (a, b) in enumerate(zip(typed, kept, strict=False)) if a != b),
                 len(kept))
    return typed[start:start + QUOTED_CHARS]
