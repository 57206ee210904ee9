"""The import driver: pages in, article files out, and a report.

A run takes files and folders.  Every page is read first; then 版面 (page
view) pages claim the article pages they link that are saved beside them,
and the pages are imported page by page in printed order (版次), articles in
the page's order.  A folder of text pages is imported in the same way,
ordered by the page label of each masthead, else by file name.

One page that cannot be read never stops the others: its error is recorded
with the file's name and the import goes on.  Nothing is written in a dry
run, and nothing that exists is overwritten without ``force`` (which keeps
a backup of what it replaces).
"""

from __future__ import annotations

import datetime as dt
import queue
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..article import parse_date, read_article
from ..errors import ArchiveError
from ..vocabulary import Vocabulary, load_vocabulary
from . import issue_file
from .decode import BIG5, decode_page
from .epaper import parse_epaper
from .model import DigestError, Page, Story
from .page_view import PageView, parse_page_view
from .tagging import Reason, Tagger, Tags
from .text_page import parse_text_page
from .writer import (
    DEFAULT_SOURCE,
    ArticleIndex,
    StoryMeta,
    article_path,
    backup,
    place_image,
    render,
    source_code,
    story_hash,
    story_slug,
    write_new,
    write_replacing,
)

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}
PAGE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
_NAME_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
# epaper-article-2024-06-18-08-02: page 08, second article on it
_NAME_PAGE_POS = re.compile(r"\d{4}-\d{2}-\d{2}[-_](\d{1,3})[-_](\d{1,3})(?!\d)")
_HTML_START = re.compile(r"\s*<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE)


@dataclass
class ImportOptions:
    content_dir: Path = Path("content")
    date: dt.date | None = None
    source: str = DEFAULT_SOURCE
    dry_run: bool = False
    force: bool = False


@dataclass
class Outcome:
    """What happened to one story."""

    status: str          # "written" | "replaced" | "skipped" | "failed"
    page: Path
    title: str
    path: Path | None = None
    reason: str = ""
    reasons: list[Reason] = field(default_factory=list)
    story: Story | None = None
    tags: Tags | None = None
    backup: Path | None = None


@dataclass
class PageSummary:
    """One printed page of the run, for the summary table and the report."""

    page: Page                   # the text page, article page or 版面 page
    date: dt.date | None
    outcomes: list[Outcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    pages: list[Page] = field(default_factory=list)    # the pages read for it

    @property
    def characters(self) -> int:
        return sum(len(o.story.title) + sum(len(b.text) for b in o.story.blocks)
                   for o in self.outcomes if o.story is not None)

    @property
    def tags(self) -> list[str]:
        names = []
        for o in self.outcomes:
            if o.tags is not None:
                names += o.tags.topics + o.tags.districts + o.tags.agencies
        return list(dict.fromkeys(names))


@dataclass
class ImportReport:
    outcomes: list[Outcome] = field(default_factory=list)
    failed_pages: list[DigestError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    images: list[Path] = field(default_factory=list)
    pages: int = 0
    dry_run: bool = False
    summaries: list[PageSummary] = field(default_factory=list)
    issue_files: list[tuple[Path, str]] = field(default_factory=list)

    def by_status(self, *statuses: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in statuses]

    @property
    def written(self) -> list[Outcome]:
        return self.by_status("written", "replaced")

    @property
    def skipped(self) -> list[Outcome]:
        return self.by_status("skipped")

    @property
    def failed(self) -> list[Outcome]:
        return self.by_status("failed")

    @property
    def ok(self) -> bool:
        return not self.failed_pages and not self.failed


def find_pages(paths: Iterable[str | Path]) -> tuple[list[Path], list[DigestError]]:
    """Every page to import: files as given, folders searched for pages."""
    pages, errors = [], []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            pages += sorted(p for p in path.rglob("*")
                            if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES
                            and not p.name.startswith("."))
        elif path.is_file():
            if path.suffix.lower() in PAGE_SUFFIXES:
                pages.append(path)
            else:
                errors.append(DigestError(path, f"不支持的文件类型“{path.suffix or '无扩展名'}”"
                                                "：只导入 .txt 文字版面和 .html/.htm 电子版页面"))
        else:
            errors.append(DigestError(path, "找不到这个文件或文件夹"))
    return list(dict.fromkeys(pages)), errors


def read_page(path: Path) -> Page:
    """Decode and parse one page; DigestError (naming it) if impossible."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DigestError(path, f"无法读取：{exc.strerror or exc}") from None
    is_html = path.suffix.lower() in HTML_SUFFIXES
    text, encoding = decode_page(raw, path, html=is_html)
    if not is_html and _HTML_START.match(text):
        is_html = True      # an e-paper page saved as .txt
    view = parse_page_view(text, path) if is_html else None
    if view is not None:
        page = Page(path=path, kind="page_view", stories=[], label=view.label, name=view.name,
                    view=view, date=_date_in_text(text))
    elif is_html:
        page = parse_epaper(text, path)
    else:
        page = parse_text_page(text, path)
    page.encoding = encoding
    if view is None:
        _drop_stories_without_body(page)
    if encoding == BIG5:
        page.warnings.append("按 Big5（繁体中文）解码，并已转为简体字；请核对人名等专名")
    return page


def _drop_stories_without_body(page: Page) -> None:
    """A headline with nothing under it (a dump cut short, a lone heading)
    is not an article, and the site refuses empty bodies."""
    kept = [s for s in page.stories if any(block.text.strip() for block in s.blocks)]
    page.warnings += [f"“{s.title}”只有标题，没有正文，未导入" for s in page.stories if s not in kept]
    if page.stories and not kept:
        raise DigestError(page.path, "找不到正文：只有标题（不是完整的版面？）")
    page.stories = kept


def _date_in_text(text: str) -> dt.date | None:
    match = re.search(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", text)
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            return None
    return None


def page_date(page: Page, options: ImportOptions, fallback: dt.date | None = None) -> dt.date:
    """--date, else the date printed on the page, else one in the file or folder name."""
    from_name = _date_in_name(page.path)
    chosen = options.date or page.date or fallback or from_name
    if chosen is None:
        raise DigestError(page.path, "找不到日期：页面里和文件名中都没有日期；"
                                     "请用 --date YYYY-MM-DD 指定，或在文件名中写上日期")
    for label, other in (("页面上", page.date), ("文件名中", from_name)):
        if other and other != chosen:
            page.warnings.append(f"{label}的日期 {other} 与采用的日期 {chosen} 不同")
    return chosen


def _date_in_name(path: Path) -> dt.date | None:
    for name in (path.stem, path.parent.name):
        for match in _NAME_DATE.finditer(name):
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                continue
    return None


def page_identity(page: Page) -> None:
    """Fill in Page (label) and each story's Position where the page lacks them.

    A text page has no printed label: its file stem stands in.  An e-paper
    page holds one story; its position on the printed page comes from the
    file name (…-08-02 is the second story of page 08), else from its place
    among the HTML pages of its folder (in name order).
    """
    match = _NAME_PAGE_POS.search(page.path.stem)
    if page.kind == "text":
        if not page.label:
            page.label = page.path.stem
        return
    if not page.label and match:
        page.label = f"第{match.group(1).zfill(2)}版"
    if not page.label:
        page.label = page.path.stem
    if match:
        page.stories[0].position = int(match.group(2))
    else:
        # the folder as it is on disk, not just the files of this run, so a
        # page imported alone gets the same position as in a folder import
        folder = sorted(p.name for p in page.path.parent.iterdir()
                        if p.is_file() and p.suffix.lower() in HTML_SUFFIXES)
        page.stories[0].position = folder.index(page.path.name) + 1 if page.path.name in folder else 1


# ----------------------------------------------------------------------
# planning: which pages, in which order

@dataclass
class _Unit:
    """One printed page to import: a text or article page, or a 版面 page with its articles."""

    page: Page
    articles: list[Page] = field(default_factory=list)     # for a 版面 page


def _label_key(page: Page) -> tuple[int, str]:
    digits = re.fullmatch(r"第0*(\d{1,3})版", page.label or "")
    return (int(digits.group(1)) if digits else 999, page.path.name)


def _plan(pages: list[Page], report: ImportReport) -> list[_Unit]:
    by_path = {p.path.resolve(): p for p in pages}
    claimed: set[Path] = set()
    units: list[_Unit] = []
    for page in pages:
        if page.kind != "page_view":
            continue
        unit = _Unit(page)
        view: PageView = page.view
        for position, article in enumerate(view.articles, 1):
            if article.file is None:
                continue
            linked = by_path.get(article.file)
            if linked is None:
                try:
                    linked = read_page(article.file)
                except DigestError as exc:
                    report.failed_pages.append(exc)
                    continue
            if linked.kind != "html":
                continue
            claimed.add(article.file)
            if linked.label and linked.label != page.label:
                linked.warnings.append(f"页面自称{linked.label}，按版面页 {page.path.name} 计为{page.label}")
            linked.label, linked.name = page.label, page.name
            linked.stories[0].position = position
            unit.articles.append(linked)
        if view.missing:
            names = "、".join(a.href for a in view.missing)
            message = f"版面页链接的 {len(view.missing)} 篇文章不在同一文件夹中，未导入：{names}"
            if unit.articles:
                page.warnings.append(message)
            else:
                report.failed_pages.append(DigestError(page.path, message + "；这个版面没有导入任何文章"))
                continue
        units.append(unit)
    units += [_Unit(p) for p in pages if p.kind != "page_view" and p.path.resolve() not in claimed]
    return sorted(units, key=lambda u: _label_key(u.page))


# ----------------------------------------------------------------------
# the run

def import_paths(paths: Iterable[str | Path], options: ImportOptions,
                 vocabulary: Vocabulary | None = None,
                 progress: Callable[[Path], None] | None = None) -> ImportReport:
    content_dir = Path(options.content_dir)
    report = ImportReport(dry_run=options.dry_run)
    if vocabulary is None:
        vocabulary = load_vocabulary(content_dir / "taxonomy.yml")
    run = _Run(options, content_dir, vocabulary, report)
    try:
        _import_all(paths, run, report, progress)
    finally:
        run.writer.close()
    return report


def _import_all(paths, run: _Run, report: ImportReport, progress) -> None:
    files, errors = find_pages(paths)
    report.failed_pages += errors
    pages = []
    for path in files:
        try:
            pages.append(read_page(path))
        except DigestError as exc:
            report.failed_pages.append(exc)
        except ArchiveError as exc:
            report.failed_pages.append(DigestError(path, str(exc)))
        except Exception as exc:
            report.failed_pages.append(DigestError(path, f"读取时出错（程序错误，请报告）：{exc!r}"))
    for unit in _plan(pages, report):
        summary = PageSummary(unit.page, None)
        report.summaries.append(summary)
        report.pages += 1
        if unit.page.kind == "page_view":
            summary.warnings += unit.page.warnings + unit.page.view.notes
            report.warnings += [f"{unit.page.path}: {w}" for w in unit.page.warnings]
            for article in unit.articles:
                report.pages += 1
                run.import_page(article, summary, view=unit.page)
                if progress:
                    progress(article.path)
            run.writer.flush()          # the issue file names only files that exist
            run.add_issue_page(unit)
        else:
            run.import_page(unit.page, summary)
        if progress:
            progress(unit.page.path)
    run.writer.flush()
    run.write_issue_files()


class _Writer:
    """Creates new article files on a thread of their own.

    Creating a file is the costliest step of a large import (system time);
    on its own thread it overlaps with reading and tagging the next stories.
    Files are still created one at a time, in order, exclusively
    (``write_new``); an outcome learns of a failure when :meth:`flush`
    returns, before anyone reads it.
    """

    def __init__(self):
        self._queue: queue.Queue = queue.Queue(maxsize=512)
        self._thread = threading.Thread(target=self._work, name="digest-writer", daemon=True)
        self._thread.start()

    def put(self, outcome: Outcome, path: Path, text: str) -> None:
        self._queue.put((outcome, path, text))

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is not None:
                    self._write(*item)
            finally:
                self._queue.task_done()
            if item is None:
                return

    @staticmethod
    def _write(outcome: Outcome, path: Path, text: str) -> None:
        try:
            write_new(path, text)
        except FileExistsError:
            outcome.status, outcome.path = "skipped", path
            outcome.reason = f"文件已存在：{path}；用 --force 覆盖"
        except OSError as exc:
            outcome.status, outcome.path = "failed", path
            outcome.reason = f"无法写入 {path}：{exc.strerror or exc}"

    def flush(self) -> None:
        self._queue.join()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()


class _Run:
    def __init__(self, options: ImportOptions, content_dir: Path, vocabulary: Vocabulary,
                 report: ImportReport):
        self.options = options
        self.content_dir = content_dir
        self.vocabulary = vocabulary
        self.report = report
        self.tagger = Tagger(vocabulary)
        self.index = ArticleIndex.scan(content_dir / "articles")
        self.source = options.source or DEFAULT_SOURCE
        self.stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.issues: dict[dt.date, list[issue_file.IssuePage]] = {}
        self.view_dates: dict[Path, dt.date] = {}
        self.writer = _Writer()

    def import_page(self, page: Page, summary: PageSummary, view: Page | None = None) -> None:
        summary.pages.append(page)
        try:
            fallback = self.view_dates.get(view.path) if view is not None else None
            if view is not None and fallback is None:
                fallback = page_date(view, self.options)
                self.view_dates[view.path] = fallback
            date = page_date(page, self.options, fallback)
            summary.date = summary.date or date
            if view is None:
                page_identity(page)
            self._refuse_second_date(page, date)
        except DigestError as exc:
            summary.error = "；".join(filter(None, [summary.error, exc.reason]))
            self.report.failed_pages.append(exc)
            return
        summary.warnings += page.warnings
        self.report.warnings += [w if str(page.path) in w else f"{page.path}: {w}" for w in page.warnings]
        for story in page.stories:
            try:
                outcome = self._import_story(story, page, date)
            except Exception as exc:
                outcome = Outcome("failed", page.path, story.title, reason=f"导入时出错：{exc}")
            summary.outcomes.append(outcome)
            summary.warnings += outcome.tags.warnings if outcome.tags else []
            self.report.outcomes.append(outcome)

    def _refuse_second_date(self, page: Page, date: dt.date) -> None:
        for story in page.stories:
            other = self.index.other_date(self.source, page.label, story.position, story_hash(story), date)
            if other is not None:
                raise DigestError(page.path, (
                    f"这个版面已按 {other.date} 导入过（例如 {other.path}），这次的日期是 {date}；"
                    "同一版面不能按两个日期导入。若之前的日期错了，请先删除那次导入的文章再导入"))

    def _import_story(self, story: Story, page: Page, date: dt.date) -> Outcome:
        options, report = self.options, self.report
        slug = story_slug(self.source, date, page.label, story.position)
        tags = self.tagger.tag(story)
        outcome = Outcome("written", page.path, story.title, reasons=tags.reasons, story=story, tags=tags)
        report.warnings += [f"{page.path}: {w}" for w in tags.warnings]

        existing, why = self.index.same_story(self.source, date, page.label, story.position,
                                              slug, story.title)
        target = article_path(self.content_dir, date, slug)
        if existing is not None:
            outcome.path = existing.path
            if not options.force:
                outcome.status, outcome.reason = "skipped", f"已导入过（{why}）：{existing.path}"
                return outcome
            # rewrite the same file in place and keep its URL
            target, slug = existing.path, existing.slug
        elif target.exists() and not options.force:
            outcome.status, outcome.path = "skipped", target
            outcome.reason = f"文件已存在（不是这篇稿件）：{target}；用 --force 覆盖"
            return outcome

        image_urls = {}
        try:
            image_urls = self._place_images(story, date)
        except OSError as exc:
            report.warnings.append(f"{page.path}: 复制图片失败：{exc}；图片说明保留为无图说明")
        meta = StoryMeta(date=date, source=self.source, page=page.label, slug=slug, tags=tags)
        text = render(story, meta, image_urls)

        # the site's own validation, before anything is written
        result = read_article(text.encode("utf-8"), str(target), self.vocabulary)
        if result.problems:
            outcome.status = "failed"
            outcome.reason = "生成的文章未通过校验：" + "；".join(p.message for p in result.problems)
            return outcome
        report.warnings += [str(w) for w in result.warnings]

        replacing = target.exists()
        if replacing and target.read_text(encoding="utf-8", errors="replace") == text:
            outcome.status, outcome.path = "skipped", target
            outcome.reason = "内容与现有文件相同，未改动"
            return outcome
        if not options.dry_run and replacing:
            try:
                outcome.backup = backup(target, self.content_dir, self.stamp)
                write_replacing(target, text)
            except FileExistsError:
                outcome.status, outcome.path = "skipped", target
                outcome.reason = f"文件已存在：{target}；用 --force 覆盖"
                return outcome
            except OSError as exc:
                outcome.status, outcome.path = "failed", target
                outcome.reason = f"无法写入 {target}：{exc.strerror or exc}"
                return outcome
        if outcome.backup is not None:
            outcome.reason = f"原文件已备份到 {outcome.backup}"
        if existing is not None:
            self.index.remove(existing)
        self.index.add_written(target, self.source, date, page.label, story.position, slug,
                               _field_title(text), story_hash(story))
        outcome.status = "replaced" if replacing else "written"
        outcome.path = target
        if not options.dry_run and not replacing:
            self.writer.put(outcome, target, text)      # created on the writer thread
        return outcome

    def _place_images(self, story: Story, date: dt.date) -> dict[int, str]:
        urls = {}
        images_dir = self.content_dir / "images" / f"{date:%Y}"
        for i, block in enumerate(story.blocks):
            if block.kind == "caption" and block.image and block.image.source:
                target, copied = place_image(block.image.source, images_dir, self.options.dry_run)
                if copied:
                    self.report.images.append(target)
                urls[i] = f"{{static}}/images/{date:%Y}/{target.name}"
        return urls

    # -- the issue file -------------------------------------------------
    def add_issue_page(self, unit: _Unit) -> None:
        view: PageView = unit.page.view
        date = self.view_dates.get(unit.page.path)
        if date is None:
            return
        folder = f"{date:%Y-%m-%d}-{source_code(self.source)}"
        entry = issue_file.IssuePage(label=unit.page.label, name=unit.page.name)
        for source, kind, attr in ((view.image, "images", "image"), (view.pdf, "files", "pdf")):
            if source is None:
                continue
            target_dir = self.content_dir / kind / "issues" / folder
            try:
                target, copied = place_image(source, target_dir, self.options.dry_run,
                                             issue_file.asset_name(unit.page.label, source.suffix))
            except OSError as exc:
                self.report.warnings.append(f"{unit.page.path}: 复制 {source.name} 失败：{exc}")
                continue
            if copied:
                self.report.images.append(target)
            setattr(entry, attr, target.relative_to(self.content_dir).as_posix())
        regions = {a.file: a.region for a in view.articles if a.file is not None}
        for article in unit.articles:
            outcome = next((o for o in self.report.outcomes if o.page == article.path), None)
            if outcome is None or outcome.path is None or outcome.status == "failed":
                continue
            try:
                relative = outcome.path.resolve().relative_to(self.content_dir.resolve()).as_posix()
            except ValueError:
                continue
            entry.articles.append(issue_file.IssueArticle(relative, regions.get(article.path.resolve())))
        if entry.articles:
            self.issues.setdefault(date, []).append(entry)

    def write_issue_files(self) -> None:
        for date, pages in self.issues.items():
            try:
                path, status = issue_file.write_issue(self.content_dir, date, self.source,
                                                      source_code(self.source), pages,
                                                      self.options.dry_run)
            except OSError as exc:
                self.report.warnings.append(str(exc))
                continue
            self.report.issue_files.append((path, status))


def _field_title(text: str) -> str:
    """The Title field as rendered (first line)."""
    first = text.split("\n", 1)[0]
    return first[len("Title: "):] if first.startswith("Title: ") else ""


def parse_date_option(value: str | None) -> dt.date | None:
    if not value:
        return None
    parsed, message = parse_date(value)
    if message:
        raise ValueError(message)
    return parsed.date()
