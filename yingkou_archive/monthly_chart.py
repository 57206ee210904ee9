"""A small inline SVG bar chart of articles per month.

Made at build time so term pages need no JavaScript; the numbers are also
given as text (title/aria-label) for screen readers.  Each month's column
is a link: on a term page to that month's first article in the term's own
list (the stable page holding it, yingkou_archive/paging.py), otherwise to
the site's month archive.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from functools import cached_property
from html import escape

from .paging import page_number_of, page_url

# Drawn at the proportions it is shown in (no stretching): 400 units wide,
# shown 358 px wide on a 390 px phone and at most 30rem on a desktop, so
# the 13-unit labels are 11.6 px and more.
WIDTH = 400
HEIGHT = 110
BASELINE = 90  # room below the bars for year labels
LABEL_SIZE = 13
LABEL_ROOM = 38  # units a year label needs ("2024" and a gap)


def _months_between(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    months = []
    year, month = first
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def monthly_counts(dates: Iterable[dt.date]) -> list[tuple[tuple[int, int], int]]:
    """(year, month) -> count for every month from the first to the last."""
    counts = Counter((d.year, d.month) for d in dates)
    if not counts:
        return []
    return [(m, counts.get(m, 0)) for m in _months_between(min(counts), max(counts))]


def month_anchor(year: int, month: int) -> str:
    """The id a list gives its first article of a month (macros.html)."""
    return f"m-{year:04d}-{month:02d}"


def list_month_links(series, base_url: str, per_page: int) -> dict:
    """(year, month) -> the URL (from the site root) of the list page that
    holds the month's newest article, at that month's first item: the
    month's articles of this list, not of the whole site."""
    total = sum(count for _, count in series)
    links, seen = {}, 0
    for (year, month), count in series:
        seen += count
        if count:
            page = page_number_of(seen - 1, total, per_page)
            links[(year, month)] = f"{page_url(base_url, page)}#{month_anchor(year, month)}"
    return links


class MonthlyChart:
    """A chart made only when a page that shows it is rendered; the series
    (plain values) tells whether it changed, and is counted only when asked
    for (a daily build asks only for the terms whose articles changed).
    With ``base_url`` (a list of the articles, cut into pages of
    ``per_page``) a month's bar links to the month in that list, else to
    the site's month archive.  ``dates`` is read when the series is."""

    def __init__(self, dates: Iterable[dt.date], label: str, base_url: str | None = None,
                 per_page: int = 20):
        self._dates = dates
        self.label = label
        self._base_url, self._per_page = base_url, per_page

    @cached_property
    def series(self) -> tuple:
        return tuple(monthly_counts(self._dates))

    @cached_property
    def links(self) -> dict | None:
        return list_month_links(self.series, self._base_url, self._per_page) if self._base_url else None

    def svg(self, siteurl: str = "") -> str:
        """The chart, each month's bar a link to that month's articles."""
        return chart_svg(list(self.series), self.label, siteurl, self.links)

    def __html__(self) -> str:
        return self.svg()

    __str__ = __html__


def monthly_chart_svg(dates: Iterable[dt.date], label: str, siteurl: str = "") -> str:
    return chart_svg(monthly_counts(dates), label, siteurl)


def chart_svg(series: list[tuple[tuple[int, int], int]], label: str, siteurl: str = "",
              links: dict | None = None) -> str:
    if not series:
        return ""
    peak = max(count for _, count in series)
    slot = WIDTH / len(series)
    bar = max(slot * 0.8, 1.0)
    total = sum(count for _, count in series)
    (y0, m0), (y1, m1) = series[0][0], series[-1][0]
    summary = f"{label}：{y0}年{m0}月至{y1}年{m1}月共 {total} 篇，单月最多 {peak} 篇"
    parts = [
        f'<svg class="month-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="group" aria-label="{escape(summary)}">',
        f"<title>{escape(summary)}</title>",
    ]
    last_label = None
    for i, ((year, month), count) in enumerate(series):
        x = i * slot
        if count:
            h = max(count / peak * (BASELINE - 6), 2)
            name = f"{year}年{month}月：{count} 篇"
            href = links[(year, month)] if links else f"{year:04d}/{month:02d}/"
            # the whole column is the link, so a short bar is as easy to hit
            parts.append(
                f'<a href="{escape(siteurl)}/{escape(href)}" aria-label="{name}">'
                f"<title>{name}</title>"
                f'<rect class="hit" x="{x:.1f}" y="0" width="{slot:.1f}" height="{BASELINE}"/>'
                f'<rect class="bar" x="{x + (slot - bar) / 2:.1f}" y="{BASELINE - h:.1f}" '
                f'width="{bar:.1f}" height="{h:.1f}"/></a>'
            )
        if (month == 1 or i == 0) and (last_label is None or x - last_label >= LABEL_ROOM) \
                and x <= WIDTH - LABEL_ROOM + 6:
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 3}" font-size="{LABEL_SIZE}">{year}</text>')
            last_label = x
    parts.append(f'<line x1="0" y1="{BASELINE}" x2="{WIDTH}" y2="{BASELINE}"/>')
    parts.append("</svg>")
    return "".join(parts)
