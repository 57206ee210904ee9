"""Pelican adapter: one page per printed digest page ("issue page").

Imported stories keep their identity in four fields: Source, Date, Page
(the printed page label, e.g. 第08版) and Position (order on that page).
Articles sharing Source, Date and Page form one issue page that lists them
in page order; each article links back to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from pelican import signals

from yingkou_archive.digest.writer import page_code, source_code


@dataclass
class IssuePage:
    source: str
    date: object  # datetime of the issue (the stories' date)
    label: str
    articles: list = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.source} {self.date.year}年{self.date.month}月{self.date.day}日 {self.label}"

    @property
    def url(self) -> str:
        return f"issues/{self.date:%Y/%m/%d}/{source_code(self.source)}-{page_code(self.label)}/"

    @property
    def save_as(self) -> str:
        return f"{self.url}index.html"


def _position(article) -> int:
    try:
        return int(str(getattr(article, "position", "")).strip())
    except ValueError:
        return 10_000  # no position: after the placed stories, by title


def build_issue_pages(generator):
    issues: dict[tuple, IssuePage] = {}
    for article in generator.articles:
        label = str(getattr(article, "page", "") or "").strip()
        if not label:
            continue
        source = getattr(article, "source", "") or ""
        key = (source, article.date.date(), label)
        if key not in issues:
            issues[key] = IssuePage(source, article.date, label)
        issues[key].articles.append(article)
    for issue in issues.values():
        issue.articles.sort(key=lambda a: (_position(a), a.title))
        for number, article in enumerate(issue.articles, 1):
            article.issue = issue
            article.issue_number = number
    ordered = sorted(issues.values(), key=lambda i: (i.date, i.source, i.label), reverse=True)
    generator.archive_issues = ordered
    generator.context["issue_pages"] = ordered


def write_issue_pages(generator, writer):
    issues = getattr(generator, "archive_issues", [])
    if not issues:
        return
    write = partial(writer.write_file, relative_urls=generator.settings["RELATIVE_URLS"])
    template = generator.get_template("issue")
    for issue in issues:
        write(issue.save_as, template, generator.context, issue=issue, url=issue.url)
    write("issues/index.html", generator.get_template("issues"), generator.context,
          issues=issues, url="issues/")


def register():
    signals.article_generator_finalized.connect(build_issue_pages)
    signals.article_writer_finalized.connect(write_issue_pages)
