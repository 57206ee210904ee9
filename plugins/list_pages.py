"""Writing a list of articles as stable pages (yingkou_archive/paging.py),
each with a render key from what it shows, so an unchanged page is not
rendered again (plugins/archive_writer).  Used by the taxonomy and date
plugins.

A list page's key has two parts: the briefs of the articles it shows
(plugins/archive_writer/keys.py), and everything else it shows (its
address, neighbours, page data and the vocabulary).  Making the first part
means looking at every article of every list: a second or more of every
build at 100,000 articles.  A page is cut from the oldest articles, so when
the store says which articles are new or changed since the output was
built (plugins/archive_content/store.StoreHistory), a page that holds only
articles older than the oldest of them still shows the same articles, and
its first part is the last build's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from plugins.archive_content.store import STORE_INPUT
from plugins.archive_writer.keys import briefs_key
from yingkou_archive.paging import page_url, stable_pages


@dataclass(frozen=True)
class PageNav:
    """What a list page's template needs to link its neighbours."""

    is_front: bool
    number: int | None
    newer_url: str | None
    older_url: str | None
    oldest_url: str | None
    front_url: str
    span: str  # the dates the page covers, e.g. 2021年3月2日—2021年5月7日

    def key(self) -> tuple:
        return (self.is_front, self.number, self.newer_url, self.older_url, self.oldest_url, self.span)


@dataclass(frozen=True)
class KnownChanges:
    """What the last build's list pages can be compared with: the ids of the
    articles new or changed since (None: unknown, every page's briefs are
    looked at), the last build's page keys, the vocabulary's digest."""

    changed_ids: frozenset[int] | None
    previous_key: object  # name -> the last build's key, or None
    vocabulary: str

    def first_changed(self, newest_first: list) -> int:
        """The position from the oldest of the list's oldest new or changed
        article (its length when there is none; 0 when unknown)."""
        if self.changed_ids is None:
            return 0
        changed = self.changed_ids
        # ids only: no article object is looked at
        for position, ident in enumerate(map(id, reversed(newest_first))):
            if ident in changed:
                return position
        return len(newest_first)


def known_changes(generator, writer) -> KnownChanges | None:
    """For the archive's writer and reader; None for Pelican's own writer
    (a plugin's test site), which takes no keys."""
    if not hasattr(writer, "page_keys"):
        return None
    history = getattr(generator, "archive_history", None)
    changed = None if history is None else history.changed_since(writer.previous_inputs.get(STORE_INPUT))
    return KnownChanges(changed, writer.previous_key, writer.vocabulary)


def keyed(writer, key: str) -> dict:
    """``render_key=key`` for the archive's writer; Pelican's own writer
    (a plugin's test site) takes no keys."""
    return {"render_key": key} if hasattr(writer, "page_keys") else {}


def _span(articles) -> str:
    if not articles:
        return ""
    def label(article) -> str:  # the archive reader's date_label, else Pelican's locale_date
        return getattr(article, "date_label", None) or article.locale_date

    newest, oldest = label(articles[0]), label(articles[-1])
    return newest if newest == oldest else f"{oldest}—{newest}"


def _page_key(changes: KnownChanges, name: str, articles: list, unchanged: bool, shown: tuple,
              derived=None) -> str:
    """``<briefs>:<the rest>``, and ``:<derived>`` when ``derived`` is
    given: a function returning what the page shows that follows from all
    the list's articles alone (a chart of their months).  When the page's
    articles are ``unchanged`` and the rest is too, the briefs (and derived)
    parts are the last build's, and neither is made."""
    rest = hashlib.sha1(repr((shown, changes.vocabulary)).encode()).hexdigest()
    if unchanged:
        previous = changes.previous_key(name)
        if previous is not None:
            parts = previous.split(":")
            if len(parts) == (2 if derived is None else 3) and parts[1] == rest:
                return previous
    key = f"{briefs_key(articles)}:{rest}"
    if derived is not None:
        key += ":" + hashlib.sha1(repr(derived()).encode()).hexdigest()
    return key


def write_list_pages(write, template, context, base_url: str, articles: list, per_page: int,
                     front_data: tuple, page_data: tuple, changes: KnownChanges | None = None,
                     front_derived=None, **kwargs) -> None:
    """``write`` is the writer's ``write_file`` (with relative_urls bound);
    ``front_data`` and ``page_data`` are everything else the template shows
    on the front page and on a numbered page (plain values): a numbered
    page shows less (no counts), so it does not change with them;
    ``front_derived``: a function giving what the front page shows that
    follows from the whole list alone (made only when the list changed).
    ``changes``: from :func:`known_changes` (None: no render keys)."""
    first_changed = changes.first_changed(articles) if changes else 0
    for page in stable_pages(articles, per_page):
        def url(number):
            return None if number is None else page_url(base_url, number)

        nav = PageNav(page.is_front, page.number, url(page.newer), url(page.older), url(page.oldest),
                      base_url, _span(page.articles))
        address = page_url(base_url, page.number)
        name = f"{address}index.html"
        key = {}
        if changes is not None:
            # a numbered page holds positions up to number * per_page from the oldest, the front the rest
            end = len(articles) if page.is_front else page.number * per_page
            shown = (address, nav.key(), front_data if page.is_front else page_data)
            derived = front_derived if page.is_front else None
            key = {"render_key": _page_key(changes, name, page.articles, end <= first_changed, shown, derived)}
        # the page's newest article (the sitemap's lastmod): its first, as _span says
        newest = page.articles[0].date if page.articles else None
        write(name, template, context, articles=page.articles, dates=page.articles,
              list_page=nav, list_newest_date=newest, url=address, **key, **kwargs)
