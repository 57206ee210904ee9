"""Reading built article pages: the text and facets the index is made of.

Each article page (``YYYY/MM/<slug>/index.html``) gives a title and the
text of its ``<article>`` element, read with regular expressions from our
own template's markup (ten times faster than an HTML parser), plus the
facet values the template puts on the element (``data-topics`` …).
Searchable text = title + article text, normalized by :mod:`search.tokens`
(the same rule as the browser).  Pages are read in worker processes;
the build reads only pages whose render key changed (search/write.py).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from yingkou_archive.kinds import TAXONOMY_KINDS
from yingkou_archive.links import is_site_path

from .errors import SearchIndexError

ARTICLE_PAGE = re.compile(r"^\d{4}/\d{2}/[^/]+/index\.html$")


@dataclass
class ArticlePage:
    """What the index needs from one built article page."""

    url: str
    title: str
    text: str  # the <article> text without the title, blocks on new lines
    body_start: int = 0  # where the article body (after the metadata line) starts in text
    date: str = ""
    # kind name (yingkou_archive/kinds.py) -> term names, from data-<plural>
    terms: dict[str, list[str]] = field(default_factory=dict)

    @property
    def searchable(self) -> str:
        """Title, a boundary, then the article text: what a query must match."""
        return f"{self.title}\n{self.text}"


# Elements whose edges separate text (a phrase never spans them); the same
# list as highlight.js uses on the article page.
_BLOCK_TAGS = (
    "address|article|aside|blockquote|br|dd|details|div|dl|dt|figcaption|figure|footer|"
    "h1|h2|h3|h4|h5|h6|header|hr|li|main|nav|ol|p|pre|section|summary|table|td|th|tr|ul|img|time")
_ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""  # a tag's attributes, quotes respected
_ARTICLE_TAG = re.compile(r"<(/?)article\b" + _ATTRS + ">", re.I)
_DROP = re.compile(r"<(script|style|template|noscript)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_H1 = re.compile(r"<h1\b" + _ATTRS + r">(.*?)</h1\s*>", re.S | re.I)
_BLOCK_TAG = re.compile(r"</?(?:" + _BLOCK_TAGS + r")\b" + _ATTRS + ">", re.I)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^\s/>]*" + _ATTRS + ">")
_BODY_TAG = re.compile(r"<[a-zA-Z][^\s/>]*\s[^>]*\bclass=\"[^\"]*\barticle-body\b")
_ATTR = re.compile(r'([a-zA-Z_:][-\w:.]*)\s*=\s*"([^"]*)"')
_NEWLINES = re.compile(r"[ \t\r\f\v]*\n\s*")
_SPACES = re.compile(r"\s+")


def _text_of(fragment: str) -> str:
    """Text of an HTML fragment: block edges become new lines, tags go."""
    text = html.unescape(_ANY_TAG.sub("", _BLOCK_TAG.sub("\n", fragment)))
    return _NEWLINES.sub("\n", text).strip()


def _split_terms(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split("|") if v.strip()]


def read_article_page(page_html: str, url: str) -> ArticlePage | None:
    """The first <article> of a built page, or None when there is none."""
    opening = _ARTICLE_TAG.search(page_html)
    if opening is None or opening.group(1):
        return None
    depth, end = 0, len(page_html)
    for tag in _ARTICLE_TAG.finditer(page_html, opening.start()):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            end = tag.start()
            break
    inner = _DROP.sub("", page_html[opening.end():end])
    attrs = {k: html.unescape(v) for k, v in _ATTR.findall(opening.group(0))}
    title = ""
    heading = _H1.search(inner)
    if heading:
        title = _SPACES.sub(" ", html.unescape(_ANY_TAG.sub("", heading.group(1)))).strip()
        inner = inner[:heading.start()] + "\n" + inner[heading.end():]
    body_tag = _BODY_TAG.search(inner)
    cut = body_tag.start() if body_tag else 0
    head, body = _text_of(inner[:cut]), _text_of(inner[cut:])
    result_url = (attrs.get("data-url") or url).removeprefix("/")
    if not is_site_path(result_url):
        # the index's URLs become links on the search page: never a
        # javascript: or another site's address
        raise SearchIndexError(f"{url}index.html: 文章网址“{result_url}”不是站内路径，未编入搜索索引")
    return ArticlePage(
        url=result_url,
        title=title,
        text=f"{head}\n{body}" if head and body else head or body,
        body_start=len(head) + 1 if head and body else 0,
        date=attrs.get("data-date", ""),
        terms={kind.name: _split_terms(attrs.get(f"data-{kind.plural}", "")) for kind in TAXONOMY_KINDS},
    )


def _read_chunk(chunk: list[tuple[str, str]]) -> list[tuple[str, ArticlePage | None]]:
    """Read pages (runs in a worker process): (relative path, page or None)."""
    return [(rel, read_article_page(Path(path).read_text(encoding="utf-8"), rel[: -len("index.html")]))
            for path, rel in chunk]


def article_page_names(site_dir: Path) -> list[str]:
    """Every article page of a built site, relative to it."""
    return sorted(p.relative_to(site_dir).as_posix()
                  for p in Path(site_dir).glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/*/index.html"))


def read_pages(site_dir: Path, names: list[str], workers: int) -> dict[str, ArticlePage | None]:
    """The article pages ``names`` (relative to ``site_dir``), read; None for
    a page without an ``<article>``.

    Reading (regular expressions) is CPU-bound Python, so many pages are
    shared between worker processes; the result does not depend on how.
    """
    todo = [(os.path.join(site_dir, rel), rel) for rel in names if ARTICLE_PAGE.match(rel)]
    if workers > 1 and len(todo) >= 500:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        size = -(-len(todo) // (workers * 4))
        chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
        # fork: the children only run _read_chunk (regex, file reads), and
        # unlike spawn/forkserver it never re-imports the caller's __main__
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return dict(item for part in pool.map(_read_chunk, chunks) for item in part)
    return dict(_read_chunk(todo))


def order_key(page: ArticlePage) -> tuple[str, str]:
    """Oldest first, ties by URL: a document's id is its place in this order."""
    return page.date, page.url


def order_pages(pages: list[ArticlePage]) -> list[ArticlePage]:
    return sorted(pages, key=order_key)


def record_digest(page: ArticlePage) -> str:
    """What the index takes from a page, as a digest: equal digests, equal
    index data (so a segment whose pages all keep theirs is kept)."""
    data = doc_bytes(page) + json.dumps(page.terms, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha1(data).hexdigest()


def doc_bytes(page: ArticlePage) -> bytes:
    """A document's display data: everything a result line shows (the
    terms of the kinds shown in lists, joined, by kind name)."""
    head, body = page.text[:page.body_start], page.text[page.body_start:]
    terms = {kind.name: "、".join(page.terms.get(kind.name, [])) for kind in TAXONOMY_KINDS
             if kind.in_brief and page.terms.get(kind.name)}
    data = {"u": page.url, "t": page.title, "d": page.date, "k": terms,
            "h": head.strip(), "b": body.strip()}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
