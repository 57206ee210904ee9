"""Rendering stories as Markdown articles and writing them safely.

Identity of an imported story: (Source, Date, Page, Position) — which page
of which paper on which day, and where on it — plus ``Story_hash``, a hash
of its text, which says whether a story at that place is the same story.
The Slug is derived from the first four, so it is stable however often the
page is imported.  An existing article is "the same story" when any of
these hold:

* it carries the same Source, Date, Page and Position fields;
* it has the same Slug in the same month (the URL would collide anyway);
* it has the same Source, Date and Title (the story came in before from
  the other format of the page, e.g. text dump and then e-paper HTML).

An article with the same Source, Page, Position and Story_hash but another
Date means the page was imported before under another date: the importer
refuses the page rather than write the stories twice.

Editors may change anything else in an imported file (body, tags, title
text…) and a re-import still recognises it and leaves it alone.  With
``--force`` the file is rewritten in place, and a copy of what it held is
kept first (:func:`backup`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..article import article_slug, parse_date, parse_source, plain_text
from ..content_check import ARTICLE_SUFFIXES
from ..paper_codes import page_code, source_code
from .model import Block, Story
from .tagging import Tags

DEFAULT_SOURCE = "辽宁日报·营口专版"
_WHITESPACE = re.compile(r"\s+")


# ----------------------------------------------------------------------
# identity and slug

def story_slug(source: str, date: dt.date, page: str, position: int) -> str:
    return f"{source_code(source)}-{date:%Y%m%d}-{page_code(page)}-{position:02d}"


def _title_key(title: str) -> str:
    return re.sub(r"[\s\u3000]+", "", plain_text(title))


# ----------------------------------------------------------------------
# existing articles

@dataclass
class Existing:
    path: Path
    slug: str
    date: dt.date | None
    month: str
    source: str
    page: str
    position: str
    title: str
    story_hash: str = ""


@dataclass
class ArticleIndex:
    """What is already in content/articles, to recognise a story again.

    Looked up through dictionaries, so an import of N stories into an
    archive of M articles costs N + M, not N × M.
    """

    articles: list[Existing] = field(default_factory=list)
    _by_place: dict = field(default_factory=dict)
    _by_slug: dict = field(default_factory=dict)
    _by_title: dict = field(default_factory=dict)
    _by_hash: dict = field(default_factory=dict)

    @classmethod
    def scan(cls, articles_dir: Path) -> ArticleIndex:
        index = cls()
        if not articles_dir.is_dir():
            return index
        for path in sorted(articles_dir.rglob("*")):
            if path.suffix not in ARTICLE_SUFFIXES or not path.is_file() or path.name.startswith("."):
                continue
            try:
                text = path.read_bytes().decode("utf-8-sig")
            except (OSError, UnicodeDecodeError):
                continue  # the site check reports it; we cannot match it
            index.add_text(path, text)
        return index

    def add(self, existing: Existing) -> None:
        self.articles.append(existing)
        for index, key in self._keys(existing):
            index.setdefault(key, existing)

    def add_written(self, path: Path, source: str, date: dt.date, page: str, position: int,
                    slug: str, title: str, hashed: str) -> None:
        """An article this run wrote (no need to read back what we rendered)."""
        self.add(Existing(path=path, slug=slug, date=date, month=f"{date:%Y/%m}", source=source,
                          page=page, position=str(position), title=_title_key(title),
                          story_hash=hashed))

    def add_text(self, path: Path, text: str) -> None:
        fields = parse_source(text).fields
        slug, _ = article_slug(fields, str(path))
        date, _ = parse_date(fields.get("date", "")) if fields.get("date") else (None, None)
        existing = Existing(
            path=path, slug=slug, date=date.date() if date else None,
            month=f"{date:%Y/%m}" if date else "",
            source=plain_text(fields.get("source", "")),
            page=fields.get("page", "").strip(),
            position=fields.get("position", "").strip(),
            title=_title_key(fields.get("title", "")),
            story_hash=fields.get("story_hash", "").strip(),
        )
        self.add(existing)

    def _keys(self, a: Existing):
        yield self._by_place, (a.source, a.date, a.page, a.position)
        yield self._by_slug, (a.slug, a.month)
        if a.title:
            yield self._by_title, (a.source, a.date, a.title)
        if a.story_hash:
            yield self._by_hash, (a.source, a.page, a.position, a.story_hash)

    def remove(self, existing: Existing) -> None:
        self.articles.remove(existing)
        for index, key in self._keys(existing):
            if index.get(key) is existing:
                del index[key]

    def same_story(self, source: str, date: dt.date, page: str, position: int,
                   slug: str, title: str) -> tuple[Existing | None, str]:
        found = self._by_place.get((source, date, page, str(position)))
        if found is not None:
            return found, "同一版面同一位置（Source、Date、Page、Position 相同）"
        found = self._by_slug.get((slug, f"{date:%Y/%m}"))
        if found is not None:
            return found, f"Slug“{slug}”相同"
        key = _title_key(title)
        found = self._by_title.get((source, date, key)) if key else None
        if found is not None:
            return found, "同一来源同一天同一标题"
        return None, ""

    def other_date(self, source: str, page: str, position: int, story_hash: str,
                   date: dt.date) -> Existing | None:
        """The same story at the same place of the same paper, under another date."""
        found = self._by_hash.get((source, page, str(position), story_hash))
        return found if found is not None and found.date != date else None


# ----------------------------------------------------------------------
# rendering

@dataclass
class StoryMeta:
    date: dt.date
    source: str
    page: str
    slug: str
    tags: Tags


def _one_line(value: str) -> str:
    return _WHITESPACE.sub(" ", value).strip() if value else ""


def _field_text(value: str) -> str:
    """A title-like field: one line, and no "<…>" the site would take for a
    tag and strip (the text stays visible as full-width brackets)."""
    return _one_line(value).replace("<", "＜").replace(">", "＞")


_MD_INLINE = re.compile(r"([\\`*_\[\]])")
_MD_BLOCK_START = re.compile(r"^(#|>|[-+*]\s|\d+[.)]\s|=+\s*$|-{3,}\s*$|\|)")


def escape_markdown(text: str) -> str:
    """Text that Markdown shows as typed: no emphasis, links, HTML or lists."""
    text = html.escape(text, quote=False)
    text = _MD_INLINE.sub(r"\\\1", text)
    if _MD_BLOCK_START.match(text):
        text = "\\" + text
    return text


def render(story: Story, meta: StoryMeta, image_urls: dict[int, str]) -> str:
    tags = meta.tags
    fields = [
        ("Title", _field_text(story.title)),
        ("Subtitle", _field_text(story.subtitle)),
        ("Kicker", _field_text(story.kicker)),
        ("Date", f"{meta.date:%Y-%m-%d}"),
        ("Topic", ", ".join(tags.topics)),
        ("District", ", ".join(tags.districts)),
        ("Agency", ", ".join(tags.agencies)),
        ("Authors", ", ".join(story.authors)),
        ("Source", meta.source),
        ("Page", meta.page),
        ("Position", str(story.position)),
        ("Slug", meta.slug),
        ("Continued", ", ".join(story.continued_to)),
        ("Continued_from", ", ".join(story.continued_from)),
        ("Story_hash", story_hash(story)),
        ("Summary", escape_markdown(_one_line(story.summary))),
        ("Status", "draft" if tags.uncertain else ""),
    ]
    lines = [f"{key}: {value}" for key, value in ((k, _one_line(v)) for k, v in fields) if value]
    body = []
    for i, block in enumerate(story.blocks):
        body.append(_render_block(block, image_urls.get(i)))
    return "\n".join(lines) + "\n\n" + "\n\n".join(body) + "\n"


def story_hash(story: Story) -> str:
    """A hash of the story's printed text (title and body), not of its place."""
    if story.text_hash:
        return story.text_hash
    digest = hashlib.sha256()
    for text in (story.title, *(b.text for b in story.blocks),
                 *(cell for b in story.blocks for row in b.rows for cell in row)):
        digest.update(_WHITESPACE.sub("", text).encode("utf-8") + b"\0")
    story.text_hash = digest.hexdigest()[:16]
    return story.text_hash


def _cell(text: str) -> str:
    return _MD_INLINE.sub(r"\\\1", html.escape(_one_line(text), quote=False)).replace("|", "\\|")


def render_table(rows: list[list[str]]) -> str:
    """A Markdown table (Python-Markdown's ``tables``, part of ``extra``)."""
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(_cell(c) for c in rows[0]) + " |",
             "|" + "|".join(["---"] * width) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def _render_block(block: Block, image_url: str | None) -> str:
    if block.kind == "table":
        return render_table(block.rows)
    if block.kind == "heading":
        return "## " + escape_markdown(_one_line(block.text))
    if block.kind == "caption":
        caption = _one_line(block.text)
        if image_url:
            alt = re.sub(r"([\\\[\]])", r"\\\1", caption)
            return f"![{alt}]({image_url})"
        # No photo file: keep the caption as a figure without an image, so it
        # is neither lost nor read as body text.
        return f"<figure><figcaption>{html.escape(caption, quote=False)}</figcaption></figure>"
    return escape_markdown(_one_line(block.text))


# ----------------------------------------------------------------------
# writing

def article_path(content_dir: Path, date: dt.date, slug: str) -> Path:
    return content_dir / "articles" / f"{date:%Y}" / f"{date:%m}" / f"{slug}.md"


def write_new(path: Path, text: str) -> None:
    """Create ``path``; fails if it exists (never clobber, even in a race).

    ``os.open`` with O_EXCL and one ``os.write``: file creation is the
    costliest step of a large import, and this is its smallest form.
    """
    data = text.encode("utf-8")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)


def write_replacing(path: Path, text: str) -> None:
    """Replace ``path`` atomically (--force)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".import-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def backup(path: Path, content_dir: Path, stamp: str) -> Path:
    """Copy ``path`` to .import-backups/<stamp>/ beside content/ before --force.

    Outside content/, so the site never builds the copy; the relative path
    inside content/ is kept so the copy is easy to put back.
    """
    content_dir = Path(content_dir)
    try:
        relative = path.resolve().relative_to(content_dir.resolve())
    except ValueError:
        relative = Path(path.name)
    target = content_dir.resolve().parent / ".import-backups" / stamp / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, target)
    return target


def place_image(source: Path, images_dir: Path, dry_run: bool,
                name: str | None = None) -> tuple[Path, bool]:
    """Where a file goes in ``images_dir``, and whether it is copied.

    An identical file already there is reused; a different file with the
    same name is never overwritten: the copy gets a content-hash suffix.
    """
    data = source.read_bytes()
    target = images_dir / (name or source.name)
    if target.exists():
        if target.read_bytes() == data:
            return target, False
        digest = hashlib.sha256(data).hexdigest()[:8]
        target = images_dir / f"{target.stem}-{digest}{target.suffix}"
        if target.exists() and target.read_bytes() == data:
            return target, False
    if not dry_run:
        images_dir.mkdir(parents=True, exist_ok=True)
        tmp = images_dir / f".{target.name}.tmp"
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    return target, True
