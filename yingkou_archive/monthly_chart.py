"""A small inline SVG bar chart of articles per month.

Made at build time so term pages need no JavaScript; the numbers are also
given as text (title/aria-label) for screen readers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from html import escape

WIDTH = 600
HEIGHT = 80
BASELINE = 64  # room below the bars for year labels


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


class MonthlyChart:
    """A chart made only when a page that shows it is rendered; the series
    (plain values) tells whether it changed."""

    def __init__(self, dates: Iterable[dt.date], label: str):
        self.series = tuple(monthly_counts(dates))
        self.label = label

    def __html__(self) -> str:
        return chart_svg(list(self.series), self.label)

    __str__ = __html__


def monthly_chart_svg(dates: Iterable[dt.date], label: str) -> str:
    return chart_svg(monthly_counts(dates), label)


def chart_svg(series: list[tuple[tuple[int, int], int]], label: str) -> str:
    if not series:
        return ""
    peak = max(count for _, count in series)
    slot = WIDTH / len(series)
    bar = max(slot * 0.8, 1.0)
    total = sum(count for _, count in series)
    (y0, m0), (y1, m1) = series[0][0], series[-1][0]
    summary = f"{label}：{y0}年{m0}月至{y1}年{m1}月共 {total} 篇，单月最多 {peak} 篇"
    parts = [
        f'<svg class="month-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(summary)}" preserveAspectRatio="none">',
        f"<title>{escape(summary)}</title>",
    ]
    for i, ((year, month), count) in enumerate(series):
        x = i * slot
        if count:
            h = max(count / peak * (BASELINE - 4), 2)
            parts.append(
                f'<rect x="{x:.1f}" y="{BASELINE - h:.1f}" width="{bar:.1f}" height="{h:.1f}">'
                f"<title>{year}年{month}月：{count} 篇</title></rect>"
            )
        if month == 1 or i == 0:
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 2}">{year}</text>')
    parts.append(f'<line x1="0" y1="{BASELINE}" x2="{WIDTH}" y2="{BASELINE}"/>')
    parts.append("</svg>")
    return "".join(parts)
