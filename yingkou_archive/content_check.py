"""Checking a whole content folder with the build's own rules.

Used by ``invoke check`` (seconds, no site build) and by the build itself
before Pelican writes anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .article import ArticleMeta, internal_links, missing_links, read_article
from .errors import Problem
from .vocabulary import Vocabulary, load_vocabulary

ARTICLE_URL = "{date:%Y}/{date:%m}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
ARTICLE_SUFFIXES = (".md", ".markdown")


def article_url(meta: ArticleMeta) -> str:
    return ARTICLE_URL.format(date=meta.date, slug=meta.slug)


@dataclass
class CheckReport:
    articles: list[ArticleMeta] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def article_files(articles_dir: Path) -> list[Path]:
    return sorted(
        p for p in articles_dir.rglob("*")
        if p.suffix in ARTICLE_SUFFIXES and p.is_file() and not p.name.startswith(".")
    )


def url_collisions(urls: dict[str, list[str]]) -> list[Problem]:
    """One problem per file that shares its output URL with another file."""
    problems = []
    for url, paths in sorted(urls.items()):
        if len(paths) > 1:
            for path in paths:
                others = "、".join(p for p in paths if p != path)
                problems.append(
                    Problem(path, f"与 {others} 会写到同一个网址 /{url}；请修改其中一篇的 Slug")
                )
    return problems


def check_content(content_dir: str | Path, vocabulary: Vocabulary | None = None,
                  relative_to: str | Path | None = None) -> CheckReport:
    content_dir = Path(content_dir)
    base = Path(relative_to) if relative_to else content_dir.parent
    if vocabulary is None:
        vocabulary = load_vocabulary(content_dir / "taxonomy.yml")
    report = CheckReport()
    urls: dict[str, list[str]] = {}
    for path in article_files(content_dir / "articles"):
        shown = str(path.relative_to(base)) if path.is_relative_to(base) else str(path)
        result = read_article(path.read_bytes(), shown, vocabulary)
        report.problems += result.problems
        if result.source is not None:
            links = internal_links(result.source.body, path, content_dir)
            report.problems += missing_links(links, shown)
        report.warnings += result.warnings
        if result.meta:
            report.articles.append(result.meta)
            urls.setdefault(article_url(result.meta), []).append(shown)
    report.problems += url_collisions(urls)
    return report
