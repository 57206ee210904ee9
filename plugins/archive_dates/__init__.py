"""Pelican adapter: year and month archives in linear time.

Pelican's own period archives select each period's articles with
``[a for a in articles if a in dates]``, a list scan per article: quadratic
(minutes at 50,000 articles).  Pelican's are switched off in the settings
(YEAR_ARCHIVE_SAVE_AS = "") and this plugin builds the same ``period_archives``
context from one pass over the date-sorted articles, using the
ARCHIVE_YEAR_* / ARCHIVE_MONTH_* URL settings, and writes each period as
stable pages (plugins/list_pages.py: numbered from the oldest, so a new
article changes only its month's and year's front pages).
"""

from __future__ import annotations

from functools import partial
from itertools import groupby

from pelican import signals

from plugins.list_pages import known_changes, write_list_pages

GRANULARITIES = {
    "year": (lambda a: (a.date.year,), "ARCHIVE_YEAR"),
    "month": (lambda a: (a.date.year, a.date.month), "ARCHIVE_MONTH"),
}


def build_period_archives(generator):
    settings = generator.settings
    newest_first = sorted(generator.articles, key=lambda a: a.date, reverse=True)
    archives = {}
    for granularity, (key, prefix) in GRANULARITIES.items():
        url_format = settings.get(f"{prefix}_URL")
        save_as_format = settings.get(f"{prefix}_SAVE_AS")
        if not save_as_format:
            continue
        archives[granularity] = []
        for period, group in groupby(newest_first, key=key):
            articles = list(group)
            date = articles[0].date
            archives[granularity].append({
                "period": period,
                "period_num": period,
                "articles": articles,
                "dates": articles,
                "url": url_format.format(date=date),
                "save_as": save_as_format.format(date=date),
            })
    generator.archive_periods = archives
    generator.context["period_archives"] = archives


def _months_of(archives: dict, year: int) -> tuple:
    return tuple((m["url"], m["period_num"][1], len(m["articles"]))
                 for m in archives.get("month", []) if m["period_num"][0] == year)


def _label(period: tuple) -> str:
    return f"{period[0]}年" + (f"{period[1]}月" if len(period) > 1 else "")


def _neighbour(archive) -> tuple[str, str] | None:
    return (archive["url"], _label(archive["period_num"])) if archive else None


def _issue_days(generator, articles) -> dict:
    paper = generator.context.get("paper")
    if paper is None:
        return {}
    urls = {day.date.isoformat(): day.url for day in paper.days}
    if not urls:  # an archive without issue files: no pass over every period's articles
        return {}
    days = {}
    for article in articles:
        day = article.date.date().isoformat()
        if day in urls:
            days[day] = urls[day]
    return days


def write_period_archives(generator, writer):
    write = partial(writer.write_file, relative_urls=generator.settings["RELATIVE_URLS"])
    template = generator.get_template("period_archives")
    per_page = generator.settings.get("PERIOD_PAGE_SIZE", 50)
    archives = getattr(generator, "archive_periods", {})
    changes = known_changes(generator, writer)
    for granularity in archives.values():
        for index, archive in enumerate(granularity):  # newest first
            period, articles = archive["period_num"], archive["articles"]
            months = _months_of(archives, period[0]) if len(period) == 1 else ()
            newer = _neighbour(granularity[index - 1] if index > 0 else None)
            older = _neighbour(granularity[index + 1] if index + 1 < len(granularity) else None)
            days = _issue_days(generator, articles)
            around = (newer, older, tuple(sorted(days.items())))
            write_list_pages(write, template, generator.context, archive["url"], articles, per_page,
                             (period, len(articles), months, around), (period, around), changes,
                             period=archive["period"], period_num=period, count=len(articles),
                             period_newer=newer, period_older=older, issue_days=days)


def register():
    signals.article_generator_finalized.connect(build_period_archives)
    signals.article_writer_finalized.connect(write_period_archives)
