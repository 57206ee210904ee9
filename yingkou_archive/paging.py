"""Pages of a list of articles that stay the same as the list grows.

Numbering pages from the newest, as most blogs do, moves every article of
a list one place down with each new article: every page of a topic with
5,000 articles changes every day.  Here pages are cut from the *oldest*
article: page 1 holds the oldest ``per_page``, page 2 the next, and so on.
The list's own URL (the front page) shows the newest, still growing chunk
together with the last full one, newest first, so it always holds between
``per_page + 1`` and ``2 * per_page`` articles (all of them for a short
list).  A new article changes the front page only; once in ``per_page``
new articles a full chunk leaves the front page and becomes a page of its
own, whose bytes then never change (the page before it gets a "newer"
link to it).  Pages show no total, which would change every day.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ListPage:
    """One page of a list: its articles (newest first) and its neighbours.

    ``number`` is None for the front page; ``newer``/``older`` are page
    numbers, 0 meaning the front page, None meaning there is none.
    """

    number: int | None
    articles: list
    newer: int | None
    older: int | None
    oldest: int | None  # the page of the oldest articles, when not this one

    @property
    def is_front(self) -> bool:
        return self.number is None


def stable_pages(newest_first: list, per_page: int) -> list[ListPage]:
    """The front page, then the numbered pages from the newest to page 1."""
    count = len(newest_first)
    chunks = -(-count // per_page)  # chunk k holds oldest-first items [(k-1)P, kP)
    if chunks <= 2:
        return [ListPage(None, list(newest_first), None, None, None)]
    front_from = (chunks - 2) * per_page  # oldest-first index where the front page starts
    front = ListPage(None, newest_first[:count - front_from], None, chunks - 2, 1)
    pages = [front]
    for number in range(chunks - 2, 0, -1):
        start, end = (number - 1) * per_page, number * per_page  # oldest-first
        items = newest_first[count - end:count - start]
        newer = number + 1 if number + 1 <= chunks - 2 else 0
        older = number - 1 if number > 1 else None
        pages.append(ListPage(number, items, newer, older, 1 if number > 1 else None))
    return pages


def page_number_of(position: int, count: int, per_page: int) -> int | None:
    """The page holding the article at ``position`` from the oldest (0 is
    the oldest) of ``count``, as :func:`stable_pages` cuts them: a page
    number, or None for the front page."""
    chunks = -(-count // per_page)
    chunk = position // per_page + 1
    return None if chunks <= 2 or chunk > chunks - 2 else chunk


def page_url(base_url: str, number: int | None) -> str:
    """``topics/gangkou/`` (front) or ``topics/gangkou/page/3/``."""
    return base_url if not number else f"{base_url}page/{number}/"
