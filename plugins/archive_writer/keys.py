"""Render keys: what a page is made from, so an unchanged page is not rendered.

A page's key is a hash over everything it shows.  Article pages get theirs
from :func:`article_page_key`, which names the articles a page shows by
their sources (:func:`source_identity`); a plugin that writes a list page passes a key
made with :func:`list_key` from the briefs of the articles it lists and the
page's own data (the stable list pages of plugins/list_pages.py: with
:func:`briefs_key`, kept from the last build when their articles are).
Every key also covers :func:`site_key`: the settings (dicts and functions
too), the theme's files and the code, so any change there renders
everything again.
"""

from __future__ import annotations

import hashlib
from functools import partial
from pathlib import Path

from yingkou_archive.kinds import TAXONOMY_KINDS

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
CODE_FOLDERS = ("plugins", "yingkou_archive")
# Settings that name where this build writes or caches, not what it writes.
NOT_CONTENT_SETTINGS = ("OUTPUT_PATH", "CACHE_PATH")


def _stable(value, _depth: int = 0) -> str:
    """A text for a setting's value that is the same in every process and
    changes when the value does: dicts and sets in sorted order, a function
    by its name, code, defaults and the values it closes over, a
    ``functools.partial`` by its function and arguments, another object by
    its repr unless that names a memory address (then by its type: a cache
    object, say)."""
    if _depth > 20:  # a value that contains itself (a recursive closure)
        return "…"
    inner = partial(_stable, _depth=_depth + 1)
    if isinstance(value, (str, int, float, bool, type(None))):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(map(inner, value)) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(sorted(f"{inner(k)}:{inner(v)}" for k, v in value.items())) + "}"
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(map(inner, value))) + "}"
    if isinstance(value, partial):
        return f"partial({inner(value.func)},{inner(value.args)},{inner(value.keywords)})"
    code = getattr(value, "__code__", None)
    if code is not None:
        closed = [cell.cell_contents for cell in (getattr(value, "__closure__", None) or ())
                  if cell.cell_contents is not value]
        return (f"{value.__module__}.{value.__qualname__}:{_code_text(code)}"
                f"|{inner(getattr(value, '__defaults__', None))}"
                f"|{inner(getattr(value, '__kwdefaults__', None))}|{inner(closed)}")
    text = repr(value)
    return type(value).__qualname__ if " at 0x" in text else text


def _code_text(code) -> str:
    consts = ",".join(_code_text(c) if hasattr(c, "co_code") else repr(c) for c in code.co_consts)
    return f"{code.co_code.hex()}|{consts}|{','.join(code.co_names)}"


def site_key(settings) -> str:
    """What every page depends on: the settings, theme files and code."""
    digest = hashlib.sha1()
    for name in sorted(settings):
        if name not in NOT_CONTENT_SETTINGS:
            digest.update(f"{name}={_stable(settings[name])}\n".encode())
    for folder in [Path(settings["THEME"])] + [PROJECT_ROOT / f for f in CODE_FOLDERS]:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and "test_data" not in path.parts:
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _terms(article, kind) -> str:
    """Its terms of ``kind``: names and links, in order (\1 and \2 occur in
    no name or URL)."""
    return "\1".join([f"{t.name}\2{t.url}" for t in getattr(article, kind.plural, ())])


_NO_ARTICLE = hashlib.sha1(b"-").digest()
_BRIEF_KINDS = [kind for kind in TAXONOMY_KINDS if kind.in_brief]


def brief(article) -> bytes:
    """A digest of what a link to an article or its list item shows
    (computed once per article and build: the article object lives for one
    build, and hashing digests is far cheaper than repr() of tuples)."""
    if article is None:
        return _NO_ARTICLE
    # the instance's own dict: getattr() of an attribute not yet set raises
    # and catches inside, and briefs are looked up about 900,000 times a
    # build at 50,000 articles
    cached = article.__dict__.get("_archive_brief")
    if cached is None:
        # joined, not repr() of a tuple: half the time, 50,000 times a build
        text = "\0".join((article.url, article.title, getattr(article, "date_iso", ""),
                          getattr(article, "source_hash", ""),
                          *[_terms(article, kind) for kind in _BRIEF_KINDS]))
        cached = article.__dict__["_archive_brief"] = hashlib.sha1(text.encode()).digest()
    return cached


def source_identity(article) -> bytes:
    """What an article's brief and page are made from besides the site key
    and the vocabulary file: its source file's path and bytes (their
    digest).  Title, date, terms and URL all come from these, so an article
    page's key can name the articles it shows by this instead of by their
    briefs: no brief of 50,000 articles is made for a daily build."""
    if article is None:
        return b"-"
    cached = article.__dict__.get("_archive_identity")
    if cached is None:
        cached = article.__dict__["_archive_identity"] = (
            f"{article.relative_source_path}\0{getattr(article, 'source_hash', '')}".encode())
    return cached


def article_page_key(site: str, name: str, article, vocabulary: str = "") -> str:
    """The key of an article's page: the sources of the article and of
    those it links to (related, previous/next, its printed page's
    neighbours), the ``vocabulary`` file's digest (term names and links),
    its photos and its place in the printed paper."""
    parts = [site.encode(), name.encode(), vocabulary.encode(), source_identity(article),
             # the cached identity read directly: a call per related article was half this function
             *[related.__dict__.get("_archive_identity") or source_identity(related)
               for related in getattr(article, "related_articles", [])], b"|",
             source_identity(getattr(article, "next_article", None)),
             source_identity(getattr(article, "prev_article", None))]
    digest = hashlib.sha1(b"\1".join(parts))
    # the resized copies of its photos (plugins/archive_photos): their
    # names change with the photos' bytes
    digest.update(repr(getattr(article, "archive_photos", ())).encode())
    issue = getattr(article, "issue", None)
    if issue:  # its printed page (plugins/archive_issues): where, its region, its neighbours there
        region = getattr(article, "issue_region", None)
        digest.update(repr((issue.key_data(), getattr(issue, "image_key", ()), article.issue_number,
                            region.points if region else None)).encode())
        digest.update(source_identity(getattr(article, "page_previous", None)))
        digest.update(source_identity(getattr(article, "page_next", None)))
    return digest.hexdigest()


def _joined_briefs(articles) -> bytes:
    # hashed in one update: the same digest as one update per brief
    return b"".join([brief(article) for article in articles])


def briefs_key(articles) -> str:
    """What the briefs of ``articles``, in order, make together."""
    return hashlib.sha1(_joined_briefs(articles)).hexdigest()


def list_key(articles, *page_data) -> str:
    """The key of a page listing ``articles`` with ``page_data`` (title,
    counts, links: plain values) beside them.  The site key is added by the
    writer."""
    digest = hashlib.sha1(_joined_briefs(articles))
    digest.update(repr(page_data).encode())
    return digest.hexdigest()
