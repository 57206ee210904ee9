"""The import driver: pages in, article files out, and a report.

One page that cannot be read never stops the others: its error is recorded
with the file's name and the import goes on.  Nothing is written in a dry
run, and nothing that exists is overwritten without ``force``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..article import parse_date, read_article
from ..errors import ArchiveError
from ..vocabulary import Vocabulary, load_vocabulary
from .decode import decode_page
from .epaper import parse_epaper
from .model import DigestError, Page, Story
from .tagging import Reason, Tagger
from .text_page import parse_text_page
from .writer import (
    DEFAULT_SOURCE,
    ArticleIndex,
    StoryMeta,
    article_path,
    place_image,
    render,
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


@dataclass
class ImportReport:
    outcomes: list[Outcome] = field(default_factory=list)
    failed_pages: list[DigestError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    images: list[Path] = field(default_factory=list)
    pages: int = 0
    dry_run: bool = False

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
    if not is_html and re.match(r"\s*<(?:!doctype\s+html|html)[\s>]", text, re.I):
        is_html = True      # an e-paper page saved as .txt
    page = parse_epaper(text, path) if is_html else parse_text_page(text, path)
    page.encoding = encoding
    return page


def page_date(page: Page, options: ImportOptions) -> dt.date:
    """--date, else the date printed on the page, else one in the file name."""
    from_name = _date_in_name(page.path)
    if options.date:
        chosen = options.date
    elif page.date:
        chosen = page.date
    elif from_name:
        chosen = from_name
    else:
        raise DigestError(page.path, "找不到日期：页面里和文件名中都没有日期；"
                                     "请用 --date YYYY-MM-DD 指定，或在文件名中写上日期")
    for label, other in (("页面上", page.date), ("文件名中", from_name)):
        if other and other != chosen:
            page.warnings.append(f"{page.path}: {label}的日期 {other} 与采用的日期 {chosen} 不同")
    return chosen


def _date_in_name(path: Path) -> dt.date | None:
    for match in _NAME_DATE.finditer(path.stem):
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


def import_paths(paths: Iterable[str | Path], options: ImportOptions,
                 vocabulary: Vocabulary | None = None,
                 progress: Callable[[Path], None] | None = None) -> ImportReport:
    content_dir = Path(options.content_dir)
    report = ImportReport(dry_run=options.dry_run)
    if vocabulary is None:
        vocabulary = load_vocabulary(content_dir / "taxonomy.yml")
    tagger = Tagger(vocabulary)
    index = ArticleIndex.scan(content_dir / "articles")
    pages, errors = find_pages(paths)
    report.failed_pages += errors
    for path in pages:
        report.pages += 1
        try:
            page = read_page(path)
            date = page_date(page, options)
            page_identity(page)
        except DigestError as exc:
            report.failed_pages.append(exc)
        except ArchiveError as exc:
            report.failed_pages.append(DigestError(path, str(exc)))
        except Exception as exc:  # a parser bug must not stop the folder
            report.failed_pages.append(DigestError(path, f"导入时出错（程序错误，请报告）：{exc!r}"))
        else:
            report.warnings += [w if str(path) in w else f"{path}: {w}" for w in page.warnings]
            for story in page.stories:
                try:
                    outcome = _import_story(story, page, date, options, content_dir,
                                            vocabulary, tagger, index, report)
                except Exception as exc:  # one story must not stop the others
                    outcome = Outcome("failed", page.path, story.title,
                                      reason=f"导入时出错：{exc}")
                report.outcomes.append(outcome)
        if progress:
            progress(path)
    return report


def _import_story(story: Story, page: Page, date: dt.date, options: ImportOptions,
                  content_dir: Path, vocabulary: Vocabulary, tagger: Tagger,
                  index: ArticleIndex, report: ImportReport) -> Outcome:
    source = options.source or DEFAULT_SOURCE
    slug = story_slug(source, date, page.label, story.position)
    tags = tagger.tag(story)
    outcome = Outcome("written", page.path, story.title, reasons=tags.reasons)
    report.warnings += [f"{page.path}: {w}" for w in tags.warnings]

    existing, why = index.same_story(source, date, page.label, story.position, slug, story.title)
    target = article_path(content_dir, date, slug)
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
        image_urls = _place_images(story, date, content_dir, options.dry_run, report)
    except OSError as exc:
        report.warnings.append(f"{page.path}: 复制图片失败：{exc}；图片说明保留为无图说明")
    meta = StoryMeta(date=date, source=source, page=page.label, slug=slug, tags=tags)
    text = render(story, meta, image_urls)

    # the site's own validation, before anything is written
    result = read_article(text.encode("utf-8"), str(target), vocabulary)
    if result.problems:
        outcome.status = "failed"
        outcome.reason = "生成的文章未通过校验：" + "；".join(p.message for p in result.problems)
        return outcome
    report.warnings += [str(w) for w in result.warnings]

    replacing = target.exists()
    if not options.dry_run:
        try:
            if replacing:
                write_replacing(target, text)
            else:
                write_new(target, text)
        except FileExistsError:
            outcome.status, outcome.path = "skipped", target
            outcome.reason = f"文件已存在：{target}；用 --force 覆盖"
            return outcome
        except OSError as exc:
            outcome.status, outcome.path = "failed", target
            outcome.reason = f"无法写入 {target}：{exc.strerror or exc}"
            return outcome
    if existing is not None:
        index.articles.remove(existing)
    index.add_text(target, text)
    outcome.status = "replaced" if replacing else "written"
    outcome.path = target
    return outcome


def _place_images(story: Story, date: dt.date, content_dir: Path, dry_run: bool,
                  report: ImportReport) -> dict[int, str]:
    urls = {}
    images_dir = content_dir / "images" / f"{date:%Y}"
    for i, block in enumerate(story.blocks):
        if block.kind == "caption" and block.image and block.image.source:
            target, copied = place_image(block.image.source, images_dir, dry_run)
            if copied:
                report.images.append(target)
            urls[i] = f"{{static}}/images/{date:%Y}/{target.name}"
    return urls


def parse_date_option(value: str | None) -> dt.date | None:
    if not value:
        return None
    parsed, message = parse_date(value)
    if message:
        raise ValueError(message)
    return parsed.date()
