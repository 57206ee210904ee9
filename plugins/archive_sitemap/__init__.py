"""Pelican adapter: the sitemap, as an index of sitemaps of at most 50,000 URLs.

A search engine reads at most 50,000 URLs from one sitemap file, and a
decade of a city's paper has more pages than that.  ``sitemap.xml`` is a
sitemap index listing ``sitemaps/<group>.xml``: one file per year of
articles (their URLs start with the year) and one for everything else,
each split again if it would pass the limit.  An article's lastmod is its
date (or ``Modified``); a list page's is the newest article it lists, or
the newest article of the site, so the files change only when their pages
do (an unchanged year's file keeps its bytes).

Pages are collected from the writer's ``pages_announced`` (every page,
rendered or kept); pages matching ``SITEMAP["exclude"]`` and drafts
are left out.  Files are written through the writer, so they keep
Pelican's overwrite guard and are replaced, never edited.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from html import escape
from operator import attrgetter

from pelican import signals

from plugins.archive_writer import pages_announced

MAX_URLS = 50_000
SITEMAP_DIR = "sitemaps"
XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_YEAR = re.compile(r"^(\d{4})/")

_pages: dict[str, tuple[str, object]] = {}  # url -> (kind, lastmod)
_newest = [None]
_output_path = [""]
_date = attrgetter("date")


def _page_url(rel: str) -> str:
    rel = rel.replace(os.sep, "/")
    return rel[:-len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel


def remember_pages(_writer, pages=(), **_kwargs):
    # once for 120,000 pages at 100,000 articles: locals, and the output
    # folder's prefix cut off by a slice
    output_path = _output_path[0]
    prefix = output_path.rstrip(os.sep) + os.sep
    cut = len(prefix)
    newest_listed = {}  # id(list) -> its newest date: a job's files share one list
    remembered = _pages
    for path, context in pages:
        item = context.get("article") or context.get("page")
        if item is not None:
            if getattr(item, "status", "published") != "published":
                continue
            kind = "articles" if "article" in context else "pages"
            lastmod = getattr(item, "modified", None) or getattr(item, "date", None)
        else:
            # a page cut by plugins/list_pages says its newest article's date
            lastmod = context.get("list_newest_date", newest_listed)
            if lastmod is newest_listed:  # another list (the home page): its newest article
                listed = context.get("articles") or ()
                lastmod = newest_listed.get(id(listed), newest_listed)
                if lastmod is newest_listed:
                    lastmod = newest_listed[id(listed)] = max(map(_date, listed), default=None)
            kind = "indexes"
        rel = path[cut:] if path.startswith(prefix) else os.path.relpath(path, output_path)
        remembered[_page_url(rel)] = (kind, lastmod)


def remember_newest(generator):
    articles = getattr(generator, "articles", [])
    if articles:
        _newest[0] = max(a.date for a in articles)


def _groups(urls: list[str]) -> dict[str, list[str]]:
    by_group = defaultdict(list)
    for url in sorted(urls):
        match = _YEAR.match(url)
        by_group[match.group(1) if match else "pages"].append(url)
    named = {}
    for group, members in by_group.items():
        for k in range(0, len(members), MAX_URLS):
            named[group if k == 0 else f"{group}-{k // MAX_URLS + 1}"] = members[k:k + MAX_URLS]
    return named


def _w3c(moment) -> str:
    # spelled out: strftime for each of 60,000 pages took 0.15 s of every build
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}" if moment is not None else ""


def _exclusion(patterns) -> re.Pattern | None:
    """One pattern for all of ``SITEMAP["exclude"]``: it is searched in
    every one of 120,000 URLs at 100,000 articles.  Patterns that cannot be
    joined (one with a global flag such as ``(?i)``) are tried one by one."""
    if not patterns:
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns))
    except re.error:
        compiled = [re.compile(p) for p in patterns]  # a bad pattern fails here, by its own name
        return _AnyOf(compiled)


class _AnyOf:
    def __init__(self, patterns):
        self.patterns = patterns

    def search(self, text):
        return any(p.search(text) for p in self.patterns)


def write_sitemaps(pelican):
    writer = getattr(pelican, "archive_writer", None)
    if writer is None or not _pages:
        return
    settings = pelican.settings
    config = settings.get("SITEMAP", {})
    excluded = _exclusion(config.get("exclude", ()))
    priorities = config.get("priorities", {})
    changefreqs = config.get("changefreqs", {})
    siteurl = settings.get("SITE_ABSOLUTE_URL") or settings["SITEURL"]
    pages = _pages if excluded is None else {u: v for u, v in _pages.items() if not excluded.search(u)}
    # what every line of a kind shares, made once: there are 120,000 lines
    # at 100,000 articles
    start = f"<url><loc>{escape(siteurl)}/"
    ends = {kind: (f"</lastmod><changefreq>{changefreqs.get(kind, 'monthly')}</changefreq>"
                   f"<priority>{priorities.get(kind, 0.5)}</priority></url>")
            for kind in ("articles", "pages", "indexes")}
    index = []
    for group, urls in sorted(_groups(list(pages)).items()):
        lines = [f'<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="{XMLNS}">']
        dates = []
        for url in urls:
            kind, lastmod = pages[url]
            lastmod = lastmod or _newest[0]
            if lastmod is not None:
                dates.append(lastmod)
            lines.append(f"{start}{escape(url)}</loc><lastmod>{_w3c(lastmod)}{ends[kind]}")
        lines.append("</urlset>\n")
        name = f"{SITEMAP_DIR}/{group}.xml"
        writer.write_text(name, "\n".join(lines), "网站地图")
        newest = max(dates, default=None)
        index.append(f"<sitemap><loc>{escape(siteurl)}/{name}</loc><lastmod>{_w3c(newest)}</lastmod></sitemap>")
    writer.write_text("sitemap.xml", f'<?xml version="1.0" encoding="utf-8"?>\n<sitemapindex xmlns="{XMLNS}">\n'
                      + "\n".join(index) + "\n</sitemapindex>\n", "网站地图")


def forget_pages(pelican):
    """Each build starts with no pages (several builds run in one process)."""
    _pages.clear()
    _newest[0] = None
    _output_path[0] = pelican.settings["OUTPUT_PATH"]


def register():
    signals.initialized.connect(forget_pages)
    pages_announced.connect(remember_pages)
    signals.article_generator_finalized.connect(remember_newest)
    signals.finalized.connect(write_sitemaps)
