"""The printed paper as the site shows it: issues, their pages, days.

Pelican-free: works on any article objects with ``date``, ``title``,
``url`` and the optional ``source``, ``page`` and ``position`` fields.
:func:`group` makes the model from the issue files (yingkou_archive/issues.py)
and the articles; the build's issues plugin renders it.

* An issue file gives an issue's pages in printed order, each page's
  articles in reading order with their regions.
* Articles no issue file lists still group by Source, Date and Page (the
  printed page label) in Position order, as before issue files existed; a
  page an issue file also has gets them after its listed ones, and a page
  only they name is added after the issue file's pages.
* URLs: a page view is ``issues/YYYY/MM/DD/<paper>-<page>/`` (unchanged),
  a day ``issues/YYYY/MM/DD/``, a calendar year ``issues/YYYY/``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .issues import IssueData, Region
from .paper_codes import page_code, source_code

WEEKDAYS = "一二三四五六日"


def short_label(label: str) -> str:
    """第05版 -> 第5版 (as a reader says it); other labels as they are."""
    match = re.fullmatch(r"第\s*0*([0-9]+)\s*版", label.strip())
    return f"第{match.group(1)}版" if match else label


def date_label(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


@dataclass
class PageEntry:
    article: object
    region: Region | None = None


@dataclass(eq=False)
class PrintedPage:
    issue: PrintedIssue
    label: str
    name: str = ""
    image: str = ""  # relative to content/
    image_size: tuple[int, int] | None = None
    pdf: str = ""  # relative to content/ (and to the output)
    entries: list[PageEntry] = field(default_factory=list)
    number: int = 0  # 1-based, in printed order
    previous: PrintedPage | None = None
    next: PrintedPage | None = None
    image_key: tuple = ()  # the derivatives' names (set by the build)

    @property
    def articles(self) -> list:
        return [entry.article for entry in self.entries]

    @property
    def date(self) -> dt.date:
        return self.issue.date

    @property
    def source(self) -> str:
        return self.issue.source

    @property
    def heading(self) -> str:
        """第5版 · 城市"""
        return f"{short_label(self.label)} · {self.name}" if self.name else short_label(self.label)

    @property
    def title(self) -> str:
        return f"{self.issue.source} {date_label(self.issue.date)} {self.label}"

    @property
    def url(self) -> str:
        return f"issues/{self.issue.date:%Y/%m/%d}/{self.issue.code}-{page_code(self.label)}/"

    @property
    def save_as(self) -> str:
        return f"{self.url}index.html"

    @property
    def regions(self) -> list[PageEntry]:
        return [entry for entry in self.entries if entry.region is not None]

    def key_data(self) -> tuple:
        """Plain values of what a page shows of itself (render keys)."""
        return (self.url, self.title, self.label, self.name, self.image, self.image_size, self.pdf,
                self.number, self.image_key, tuple(e.region.points if e.region else None for e in self.entries))


@dataclass(eq=False)
class PrintedIssue:
    source: str
    date: dt.date
    pages: list[PrintedPage] = field(default_factory=list)
    previous: PrintedIssue | None = None  # of the same paper
    next: PrintedIssue | None = None

    @property
    def code(self) -> str:
        return source_code(self.source)

    @property
    def title(self) -> str:
        return f"{self.source} {date_label(self.date)}"

    @property
    def articles(self) -> list:
        return [a for page in self.pages for a in page.articles]


@dataclass(eq=False)
class IssueDay:
    date: dt.date
    issues: list[PrintedIssue] = field(default_factory=list)
    previous: IssueDay | None = None
    next: IssueDay | None = None

    @property
    def title(self) -> str:
        return f"{date_label(self.date)} 星期{WEEKDAYS[self.date.weekday()]}"

    @property
    def url(self) -> str:
        return f"issues/{self.date:%Y/%m/%d}/"

    @property
    def save_as(self) -> str:
        return f"{self.url}index.html"

    @property
    def articles(self) -> list:
        return [a for issue in self.issues for a in issue.articles]

    @property
    def pages(self) -> list[PrintedPage]:
        return [p for issue in self.issues for p in issue.pages]

    def key_data(self) -> tuple:
        return (self.url, tuple(p.key_data() for p in self.pages),
                self.previous.url if self.previous else "", self.next.url if self.next else "")


@dataclass
class Paper:
    """Everything the site shows of the printed paper."""

    issues: list[PrintedIssue]  # newest first
    days: list[IssueDay]  # newest first

    @property
    def pages(self) -> list[PrintedPage]:
        return [p for issue in self.issues for p in issue.pages]

    @property
    def years(self) -> list[int]:
        return sorted({day.date.year for day in self.days}, reverse=True)

    def calendar(self, year: int) -> list[dict]:
        """Twelve month grids of ``year``: weeks (Monday first) of days,
        each day None (outside the month) or (day number, IssueDay or None)."""
        by_date = {day.date: day for day in self.days if day.date.year == year}
        months = []
        for month in range(1, 13):
            first = dt.date(year, month, 1)
            following = dt.date(year + (month == 12), month % 12 + 1, 1)
            cells: list = [None] * first.weekday()
            day = first
            while day < following:
                cells.append((day.day, by_date.get(day)))
                day += dt.timedelta(days=1)
            cells += [None] * (-len(cells) % 7)
            weeks = [cells[i:i + 7] for i in range(0, len(cells), 7)]
            months.append({"month": month, "weeks": weeks,
                           "count": sum(1 for d in by_date if d.month == month)})
        return months


def _position(article) -> int:
    try:
        return int(str(getattr(article, "position", "")).strip())
    except ValueError:
        return 10_000  # no position: after the placed stories, by title


def _label_order(label: str) -> tuple[int, str]:
    digits = "".join(c for c in label if c.isdigit())
    return (int(digits) if digits else 999, label)


def group(articles: list, issue_files: list[IssueData], source_of: dict[str, object]) -> Paper:
    """The paper: ``articles`` (published), ``issue_files`` read and checked,
    ``source_of``: article file (relative to content/) -> its article."""
    issues: dict[tuple[str, dt.date], PrintedIssue] = {}
    pages: dict[tuple[str, dt.date, str], PrintedPage] = {}
    placed: set[int] = set()
    for data in issue_files:
        issue = issues.setdefault((source_code(data.source), data.date), PrintedIssue(data.source, data.date))
        for page_data in data.pages:
            page = PrintedPage(issue, page_data.label, page_data.name, page_data.image,
                               page_data.image_size, page_data.pdf)
            for listed in page_data.articles:
                article = source_of.get(listed.file)
                if article is not None and id(article) not in placed:  # drafts are not shown
                    page.entries.append(PageEntry(article, listed.region))
                    placed.add(id(article))
            issue.pages.append(page)
            pages[(issue.code, issue.date, page_code(page.label))] = page
    unlisted: dict[tuple, list] = {}
    for article in articles:
        label = str(getattr(article, "page", "") or "").strip()
        if not label or id(article) in placed:
            continue
        source = str(getattr(article, "source", "") or "")
        date = article.date.date() if isinstance(article.date, dt.datetime) else article.date
        unlisted.setdefault((source, date, label), []).append(article)
    for (source, date, label), found in sorted(unlisted.items(), key=lambda kv: (kv[0][0], kv[0][1],
                                                                                 _label_order(kv[0][2]))):
        found.sort(key=lambda a: (_position(a), a.title))
        key = (source_code(source), date, page_code(label))
        page = pages.get(key)
        if page is None:
            issue = issues.setdefault(key[:2], PrintedIssue(source, date))
            page = pages[key] = PrintedPage(issue, label)
            issue.pages.append(page)
        page.entries += [PageEntry(article) for article in found]
    ordered = sorted(issues.values(), key=lambda i: (i.date, i.source), reverse=True)
    by_paper: dict[str, list[PrintedIssue]] = {}
    for issue in ordered:
        issue.pages = [p for p in issue.pages if p.entries or p.image]
        for number, page in enumerate(issue.pages, 1):
            page.number = number
            page.previous = issue.pages[number - 2] if number > 1 else None
            page.next = issue.pages[number] if number < len(issue.pages) else None
            _link_entries(page)
    ordered = [issue for issue in ordered if issue.pages]
    for issue in ordered:
        by_paper.setdefault(issue.code, []).append(issue)
    for same in by_paper.values():  # newest first
        for i, issue in enumerate(same):
            issue.next = same[i - 1] if i > 0 else None
            issue.previous = same[i + 1] if i + 1 < len(same) else None
    days: dict[dt.date, IssueDay] = {}
    for issue in ordered:
        days.setdefault(issue.date, IssueDay(issue.date)).issues.append(issue)
    day_list = sorted(days.values(), key=lambda d: d.date, reverse=True)
    for i, day in enumerate(day_list):
        day.issues.sort(key=lambda issue: issue.source)
        day.next = day_list[i - 1] if i > 0 else None
        day.previous = day_list[i + 1] if i + 1 < len(day_list) else None
    return Paper(ordered, day_list)


def _link_entries(page: PrintedPage) -> None:
    """Each article's place: its page, number, region and neighbours there."""
    for number, entry in enumerate(page.entries, 1):
        article = entry.article
        article.issue = page
        article.issue_number = number
        article.issue_region = entry.region
        article.page_previous = page.entries[number - 2].article if number > 1 else None
        article.page_next = page.entries[number].article if number < len(page.entries) else None
