"""Making article HTML safe to publish.

Markdown lets editors (and the importer) pass raw HTML through.  Everything
that reaches a page is cleaned here with nh3 (the Rust ``ammonia``
sanitizer): no ``<script>``, no event-handler attributes, no
``javascript:`` URLs, no iframes, forms or styles.
"""

from __future__ import annotations

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
