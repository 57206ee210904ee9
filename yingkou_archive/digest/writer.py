"""Rendering stories as Markdown articles and writing them safely.

Identity of an imported story: (Source, Date, Page, Position) — which page
of which paper on which day, and where on it.  The Slug is derived from the
same four values, so it is stable however often the page is imported.  An
existing article is "the same story" when any of these hold:

* it carries the same Source, Date, Page and Position fields;
* it has the same Slug in the same month (the URL would collide anyway);
* it has the same Date and the same Title (the story came in before from
  the other format of the page, e.g. text dump and then e-paper HTML).

Editors may change anything else in an imported file (body, tags, title
text…) and a re-import still recognises it and leaves it alone.
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

from pypinyin import Style, lazy_pinyin

from ..article import article_slug, parse_date, parse_source, plain_text
from ..content_check import ARTICLE_SUFFIXES
from ..vocabulary import pinyin_slug
from .model import Block, Story
from .tagging import Tags

DEFAULT_SOURCE = "辽宁日报·营口专版"
_DATE_IN_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}|\d{8}")


# ----------------------------------------------------------------------
# identity and slug

def source_code(source: str) -> str:
    """Pinyin initials of the source: 辽宁日报·营口专版 -> lnrb-ykzb."""
    parts = []
    for chunk in re.split(r"[^0-9A-Za-z\u3400-\u9fff]+", source):
        if not chunk:
            continue
        letters = "".join(lazy_pinyin(chunk, style=Style.FIRST_LETTER, errors="default"))
        letters = re.sub(r"[^a-z0-9]", "", letters.lower())
        if letters:
            parts.append(letters)
    return "-".join(parts)[:24].strip("-") or "src"


def page_code(page: str) -> str:
    """第08版 -> p08; a file stem (text page) -> its ASCII slug, dates removed."""
    match = re.fullmatch(r"第\s*([0-9A-Za-z]{1,3})\s*版", page.strip())
    if match:
        return "p" + match.group(1).lower().zfill(2)
    stem = _DATE_IN_TEXT.sub("", page)
    code = stem.lower() if re.fullmatch(r"[A-Za-z0-9_. -]+", stem) else pinyin_slug(stem)
    code = re.sub(r"[^a-z0-9]+", "-", code).strip("-")
    return code[:40].strip("-") or "page"


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


@dataclass
class ArticleIndex:
    """What is already in content/articles, to recognise a story again."""

    articles: list[Existing] = field(default_factory=list)

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

    def add_text(self, path: Path, text: str) -> None:
        fields = parse_source(text).fields
        slug, _ = article_slug(fields, str(path))
        date, _ = parse_date(fields.get("date", "")) if fields.get("date") else (None, None)
        self.articles.append(Existing(
            path=path, slug=slug, date=date.date() if date else None,
            month=f"{date:%Y/%m}" if date else "",
            source=plain_text(fields.get("source", "")),
            page=fields.get("page", "").strip(),
            position=fields.get("position", "").strip(),
            title=_title_key(fields.get("title", "")),
        ))

    def same_story(self, source: str, date: dt.date, page: str, position: int,
                   slug: str, title: str) -> tuple[Existing | None, str]:
        for a in self.articles:
            if (a.date == date and a.source == source and a.page == page
                    and a.position == str(position)):
                return a, "同一版面同一位置（Source、Date、Page、Position 相同）"
        for a in self.articles:
            if a.slug == slug and a.month == f"{date:%Y/%m}":
                return a, f"Slug“{slug}”相同"
        key = _title_key(title)
        for a in self.articles:
            if a.date == date and key and a.title == key:
                return a, "同一天同一标题"
        return None, ""


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
    return re.sub(r"\s+", " ", value).strip()


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
        ("Summary", escape_markdown(_one_line(story.summary))),
        ("Status", "draft" if tags.uncertain else ""),
    ]
    lines = [f"{key}: {_one_line(value)}" for key, value in fields if _one_line(value)]
    body = []
    for i, block in enumerate(story.blocks):
        body.append(_render_block(block, image_urls.get(i)))
    return "\n".join(lines) + "\n\n" + "\n\n".join(body) + "\n"


def _render_block(block: Block, image_url: str | None) -> str:
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
    """Create ``path``; fails if it exists (never clobber, even in a race)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


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


def place_image(source: Path, images_dir: Path, dry_run: bool) -> tuple[Path, bool]:
    """Where a photo goes in content/images/YYYY/, and whether it is copied.

    An identical file already there is reused; a different file with the
    same name is never overwritten: the copy gets a content-hash suffix.
    """
    data = source.read_bytes()
    target = images_dir / source.name
    if target.exists():
        if target.read_bytes() == data:
            return target, False
        digest = hashlib.sha256(data).hexdigest()[:8]
        target = images_dir / f"{source.stem}-{digest}{source.suffix}"
        if target.exists() and target.read_bytes() == data:
            return target, False
    if not dry_run:
        images_dir.mkdir(parents=True, exist_ok=True)
        tmp = images_dir / f".{target.name}.tmp"
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    return target, True
