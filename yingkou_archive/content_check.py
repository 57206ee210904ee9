"""Checking a whole content folder with the build's own rules.

Used by ``invoke check`` (seconds, no site build) and by the build itself
(plugins/archive_content) before Pelican writes anything: each file is read
and rendered by :func:`prepare_article` / :func:`prepare_page`, and what
needs every file at once — URL collisions, links between pages, symbolic
links, static files and the issue files (yingkou_archive/issues.py) — by
:func:`site_problems`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .article import ArticleMeta, PageMeta, read_article, read_page
from .body import Body, missing_files, render_body
from .errors import Problem
from .issues import issue_files, read_issues
from .kinds import BY_NAME, TAXONOMY_KINDS
from .links import (
    ARTICLE_PATHS,
    PAGE_PATHS,
    SOURCE_SUFFIXES,
    shown,
    static_files,
    static_problems,
    symlink_problems,
    through_symlink,
)
from .paper_codes import page_code, source_code
from .vocabulary import Vocabulary, load_vocabulary

ARTICLE_URL = "{date:%Y}/{date:%m}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
PAGE_URL = "pages/{slug}/"
PAGE_SAVE_AS = PAGE_URL + "index.html"
ARTICLE_SUFFIXES = SOURCE_SUFFIXES
# Pages every build writes, whatever the content (pelicanconf.py).
FIXED_URLS = ("", "archives/", "search/", "issues/", "feeds/all.atom.xml", "404.html",
              "robots.txt", "sitemap.xml", "sitemaps/pages.xml", *(kind.url for kind in TAXONOMY_KINDS))


def article_url(meta: ArticleMeta) -> str:
    """ARTICLE_URL of an article (spelled out: str.format with strftime
    codes cost 10 µs, several times for each of 100,000 articles a build)."""
    return f"{meta.date.year:04d}/{meta.date.month:02d}/{meta.slug}/"


def page_url(meta: PageMeta) -> str:
    return PAGE_URL.format(slug=meta.slug)


@dataclass
class Checked:
    """What the site-wide checks need from one read article or page."""

    meta: ArticleMeta | PageMeta
    site_links: list[str] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return getattr(self.meta, "status", "published") == "published"


@dataclass
class Prepared:
    """One file read, validated and rendered (picklable: made in workers)."""

    checked: Checked | None
    html: str | None
    problems: list[Problem]
    warnings: list[Problem]


def _prepared(meta, source, problems, warnings, shown_path, source_file, content_root, url):
    if meta is None:
        return Prepared(None, None, problems, warnings)
    body: Body = render_body(source.body, shown_path, source_file, content_root, url)
    problems = body.problems + missing_files(body.files, shown_path)
    warnings = warnings + body.warnings
    if problems:
        return Prepared(None, None, problems, warnings)
    return Prepared(Checked(meta, body.site_links, body.files), body.html, [], warnings)


def prepare_article(raw: bytes, shown_path: str, source_file: Path, content_root: Path,
                    vocabulary: Vocabulary) -> Prepared:
    result = read_article(raw, shown_path, vocabulary)
    url = article_url(result.meta) if result.meta else ""
    return _prepared(result.meta, result.source, result.problems, result.warnings,
                     shown_path, source_file, content_root, url)


def prepare_page(raw: bytes, shown_path: str, source_file: Path, content_root: Path) -> Prepared:
    meta, source, problems = read_page(raw, shown_path)
    url = page_url(meta) if meta else ""
    return _prepared(meta, source, problems, [], shown_path, source_file, content_root, url)


def _issue_url(meta: ArticleMeta) -> str | None:
    label = meta.extra.get("page", "")
    if not label:
        return None
    return f"issues/{meta.date:%Y/%m/%d}/{source_code(meta.source)}-{page_code(label)}/"


def site_urls(articles: list[ArticleMeta], pages: list[PageMeta], vocabulary: Vocabulary,
              static: list[str], redirects: bool = True, issues=(), article_urls=None) -> set[str]:
    """Every URL the build writes a page or file for (but pagination, the
    theme's files, resized images and the search index), from the published
    articles and the issue files read (yingkou_archive/issues.py); without
    the articles' redirect pages when ``redirects`` is False.
    ``article_urls``: the articles' own URLs, when the caller has them."""
    urls = set(FIXED_URLS) | set(static) | {page_url(page) for page in pages} | paper_urls(issues)
    urls.update(article_urls or [article_url(meta) for meta in articles])
    names: dict[str, set[str]] = {kind.name: set() for kind in TAXONOMY_KINDS}
    for meta in articles:
        if redirects:
            urls.update(meta.aliases)
        if meta.extra:
            issue = _issue_url(meta)
            if issue:
                urls |= {issue, f"issues/{meta.date:%Y/%m/%d}/", f"issues/{meta.date:%Y}/"}
        for kind_name, names_of_kind in names.items():
            names_of_kind.update(meta.terms[kind_name])
    for year, month in {(meta.date.year, meta.date.month) for meta in articles}:
        urls |= {f"{year:04d}/", f"{year:04d}/{month:02d}/", f"sitemaps/{year:04d}.xml"}
    # each term once, not once per article
    for kind_name, name in sorted((k, n) for k, kind_names in names.items() for n in kind_names):
        kind = BY_NAME[kind_name]
        term = vocabulary.find(kind_name, name)
        if term is None and kind.open_vocabulary:
            term = vocabulary.add_unlisted(kind_name, name)
        urls |= {f"{kind.plural}/{term.slug}/", f"{kind.plural}/{term.slug}/atom.xml"}
        urls |= {f"{kind.plural}/{old}/" for old in term.old_slugs}
    return urls


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


def _link_problems(item: Checked, urls: set[str]) -> list[Problem]:
    problems = []
    for link in dict.fromkeys(item.site_links):
        if link not in urls and f"{link}/" not in urls:
            problems.append(Problem(item.meta.path, f"站内链接 /{link} 指向的页面不存在"))
    return problems


# Folders the build fills with its own files (the theme's, the search index,
# resized images: yingkou_archive/images.py).
RESERVED_FOLDERS = ("theme/", "search/", "derived/")


def _alias_problems(published: list[ArticleMeta], live: set[str]) -> list[Problem]:
    """An old URL gets a redirect page: it may not be a live page, lie in
    the build's own folders or under a file, or redirect to two places."""
    problems = []
    claimed: dict[str, str] = {}  # old URL -> the article it redirects to
    for meta in (meta for meta in published if meta.aliases):
        new = article_url(meta)
        for alias in meta.aliases:
            under_a_file = any(alias[:i] in live for i, char in enumerate(alias) if char == "/")
            if alias in live:
                problems.append(Problem(meta.path, f"旧网址 /{alias} 仍是一个现有页面，不能再指向 /{new}"))
            elif under_a_file or alias.startswith(RESERVED_FOLDERS):
                problems.append(Problem(meta.path, f"旧网址 /{alias} 落在站点自己的文件里，不能用作旧网址"))
            elif claimed.setdefault(alias, new) != new:
                problems.append(Problem(meta.path, f"旧网址 /{alias} 同时指向 /{claimed[alias]} 和 /{new}"))
    return problems


def site_problems(articles: list[Checked], pages: list[Checked], vocabulary: Vocabulary,
                  content_dir: Path, base: Path) -> list[Problem]:
    """The checks that need every file: the same for check and build."""
    problems = symlink_problems(content_dir, base) + static_problems(content_dir, base)
    published = [item.meta for item in articles if item.published]
    published_urls = [article_url(meta) for meta in published]
    urls: dict[str, list[str]] = {}
    for url, meta in zip(published_urls, published, strict=True):
        urls.setdefault(url, []).append(meta.path)
    for item in pages:
        urls.setdefault(page_url(item.meta), []).append(item.meta.path)
    problems += url_collisions(urls)
    static = [path.relative_to(content_dir).as_posix() for path in static_files(content_dir)]
    page_list = [item.meta for item in pages]
    issues, issue_problems = read_issues(content_dir, base, article_sources(articles, content_dir, base))
    pages_only = site_urls(published, page_list, vocabulary, static, redirects=False, issues=issues,
                           article_urls=published_urls)
    problems += _alias_problems(published, pages_only)
    live = pages_only | {alias for meta in published for alias in meta.aliases}
    for item in [*articles, *pages]:
        problems += _link_problems(item, live)
    return problems + issue_problems


def paper_urls(issues) -> set[str]:
    """The page views, days and calendar years the issue files make, and
    their PDFs (yingkou_archive/paper.py names them alike)."""
    urls = set()
    for issue in issues:
        day = f"issues/{issue.date:%Y/%m/%d}/"
        urls |= {day, f"issues/{issue.date:%Y}/"}
        for page in issue.pages:
            urls.add(f"{day}{source_code(issue.source)}-{page_code(page.label)}/")
            if page.pdf:
                urls.add(page.pdf)
    return urls


def article_sources(articles: list[Checked], content_dir: Path, base: Path) -> set[str]:
    """The article files, relative to content/ (as issue files name them)."""
    # Shown paths are relative to ``base`` (content/…): taken by their
    # prefix, as pathlib for every article cost 1.2 s at 50,000.  A path
    # shown whole (``check_content(relative_to=…)`` a folder content/ is
    # not in) goes through pathlib.
    prefix = os.path.relpath(content_dir, base) + os.sep
    found = set()
    for item in articles:
        shown = item.meta.path
        if shown.startswith(prefix) and ".." not in shown.split(os.sep):
            found.add(shown[len(prefix):].replace(os.sep, "/"))
            continue
        path = base / shown
        if path.is_relative_to(content_dir):
            found.add(path.relative_to(content_dir).as_posix())
    return found


@dataclass
class CheckReport:
    articles: list[ArticleMeta] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    issue_files: int = 0  # content/issues/ files checked

    @property
    def ok(self) -> bool:
        return not self.problems


def source_files(folder: Path) -> list[Path]:
    """Article or page files, as the build finds them (links are refused
    by site_problems, so they are not followed here either)."""
    return [path for path in sorted(folder.rglob("*"))
            if path.suffix in ARTICLE_SUFFIXES and path.is_file() and not path.name.startswith(".")
            and not through_symlink(path, folder)]


article_files = source_files


def check_content(content_dir: str | Path, vocabulary: Vocabulary | None = None,
                  relative_to: str | Path | None = None) -> CheckReport:
    content_dir = Path(content_dir).resolve()
    base = Path(relative_to).resolve() if relative_to else content_dir.parent
    if vocabulary is None:
        vocabulary = load_vocabulary(content_dir / "taxonomy.yml")
    report = CheckReport()
    checked: dict[str, list[Checked]] = {"articles": [], "pages": []}
    for kind, folders in (("articles", ARTICLE_PATHS), ("pages", PAGE_PATHS)):
        for folder in folders:
            for path in source_files(content_dir / folder):
                shown_path = shown(path, base)
                if kind == "articles":
                    result = prepare_article(path.read_bytes(), shown_path, path, content_dir, vocabulary)
                else:
                    result = prepare_page(path.read_bytes(), shown_path, path, content_dir)
                report.problems += result.problems
                report.warnings += result.warnings
                if result.checked:
                    checked[kind].append(result.checked)
    report.articles = [item.meta for item in checked["articles"]]
    report.problems += site_problems(checked["articles"], checked["pages"], vocabulary,
                                     content_dir, base)
    report.issue_files = len(issue_files(content_dir))
    return report
