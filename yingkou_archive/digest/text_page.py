"""Reading a digest page dumped as plain text.

The page is read line by line.  Each non-blank line is first classified on
its own (column header, credit, caption, page label …), then the ordinary
lines are re-joined into paragraphs (see :mod:`.repair`), and finally a small
state machine assigns paragraphs, headings and captions to stories:

* the first heading of the page, when it is not a brief, is the lead
  feature's headline ("主题——副题"); a 核心提示 block after it is its Summary;
* a heading followed by a paragraph starting 本报讯 opens a brief;
* any other heading is a section of the lead feature (written as ``##``);
* captions belong to the story being read when they appear;
* column headers, page credits, page labels and dates are not body text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..figures import CAPTION_CREDIT
from . import repair
from .model import Block, DigestError, Page, Story

# "营口快讯 KUAIXUN": a short Chinese column name and a Latin word.
_COLUMN = re.compile(rf"^[{repair.CJK}·]{{2,10}}\s*[A-Z][A-Za-z]{{2,}}(?:\s+[A-Z][A-Za-z]+)*$")
# "本版稿件由本报记者王晓东采写", "本版文字由本报记者王晓东、李娜撰写"
_PAGE_CREDIT = re.compile(
    r"^本版(?:稿件|文字|文章|内容)?由(?P<who>.+?)(?:采写|撰写|撰稿|采访)(?:整理)?[。.]?$"
)
# "本版照片除署名外由营口港务集团提供", "本版图片由…提供"
_PHOTO_CREDIT = re.compile(
    r"^本版(?:照片|图片|摄影)(?:除署名外)?由(?P<who>.+?)(?:提供|拍摄|摄)[。.]?$"
)
_FURNITURE = re.compile(r"^(?:责任编辑|编辑|责编|美编|版式|版式设计|校对|组版|制图|视觉)[:：]")
_SUMMARY_LABEL = re.compile(r"^[【\[]?核心提示[】\]]?\s*[:：]?\s*(?P<rest>.*)$")
_PAGE_LABEL = re.compile(r"第\s*(?P<n>[0-9A-Za-z]{1,3})\s*版")
_CN_DATE = re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
# A line holding nothing but page furniture: paper name, date, weekday, page.
_MASTHEAD = re.compile(
    rf"^(?:[{repair.CJK}·]{{0,8}}报\s*)?"
    r"(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)?\s*(?:星期[一二三四五六日天])?\s*"
    rf"(?:第\s*[0-9A-Za-z]{{1,3}}\s*版)?\s*(?:[:：]?\s*[{repair.CJK}]{{0,6}})?$"
)
# "… 本报记者 王晓东 摄": the credit follows a space or the caption's full stop.
_PHOTO_BY = re.compile(
    rf"(?:^|[\s。！？])(?:(?:本报|特约)?(?:记者|通讯员|摄影记者)\s*)?[{repair.CJK}·]{{2,4}}\s*摄$"
)
_NAMES = re.compile(r"[、，,和及\s]+")
_NAME_TITLES = re.compile(r"^(?:本报)?(?:首席)?(?:记者|通讯员|特约记者|见习记者|实习生)")


@dataclass
class Line:
    text: str
    gap: int          # blank lines before it
    kind: str = "text"


def parse_text_page(text: str, path: Path) -> Page:
    lines = _read_lines(text)
    page = Page(path=path, kind="text", stories=[])
    _classify(lines, page)
    lines = _rejoin(lines)
    page.stories = _assemble(lines, page, path)
    if not page.stories:
        raise DigestError(path, "无法识别的版面：找不到任何标题和正文（不是文字版面？）")
    return page


def _read_lines(text: str) -> list[Line]:
    lines, gap = [], 0
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        cleaned = repair.clean_spaces(raw)
        if not cleaned:
            gap += 1
            continue
        lines.append(Line(cleaned, gap))
        gap = 0
    return lines


def _classify(lines: list[Line], page: Page) -> None:
    for line in lines:
        text = line.text
        if _COLUMN.match(text):
            line.kind = "column"
        elif _PAGE_CREDIT.match(text):
            line.kind = "page_credit"
        elif _PHOTO_CREDIT.match(text):
            line.kind = "photo_credit"
        elif _FURNITURE.match(text):
            line.kind = "furniture"
        elif _SUMMARY_LABEL.match(text) and text.lstrip("【[").startswith("核心提示"):
            line.kind = "summary_label"
        elif len(text) <= 40 and _MASTHEAD.match(text) and (
                _PAGE_LABEL.search(text) or _CN_DATE.search(text)):
            line.kind = "masthead"
            _read_masthead(text, page)
        elif _is_caption(line):
            line.kind = "caption"


def _is_caption(line: Line) -> bool:
    """A photographer's credit, or a short lone sentence set off by space.

    Captions stand alone between double blank lines; body paragraphs of that
    length have a comma somewhere.
    """
    text = line.text
    if len(text) <= 80 and _PHOTO_BY.search(text):
        return True
    return (
        line.gap >= 2 and len(text) <= 40 and text.endswith("。")
        and not re.search(r"[，,：:；]", text[:-1])
        and not repair.DATELINE.match(text)
    )


def _read_masthead(text: str, page: Page) -> None:
    label = _PAGE_LABEL.search(text)
    if label and not page.label:
        page.label = f"第{label['n'].zfill(2)}版"
    date = _CN_DATE.search(text)
    if date and page.date is None:
        try:
            page.date = dt.date(int(date["y"]), int(date["m"]), int(date["d"]))
        except ValueError:
            page.warnings.append(f"页眉日期“{date.group(0)}”无效，已忽略")


def _rejoin(lines: list[Line]) -> list[Line]:
    """Re-join ordinary lines that were one paragraph before extraction."""
    out: list[Line] = []
    for line in lines:
        prev = out[-1] if out else None
        if (prev is not None and prev.kind == "text" and line.kind == "text"
                and repair.should_join(prev.text, line.text)):
            prev.text = repair.join(prev.text, line.text)
            continue
        out.append(Line(line.text, line.gap, line.kind))
    return out


def _is_brief_start(text: str) -> bool:
    return bool(repair.DATELINE.match(text))


def _assemble(lines: list[Line], page: Page, path: Path) -> list[Story]:
    stories: list[Story] = []
    lead: Story | None = None
    current: Story | None = None
    orphans: list[Block] = []      # body met before any title: never dropped
    authors: list[str] = []
    photo_credit = ""
    expect_summary = False

    for i, line in enumerate(lines):
        kind, text = line.kind, line.text
        nxt = _next_text(lines, i)
        if kind == "page_credit":
            authors += _names(_PAGE_CREDIT.match(text)["who"])
            continue
        if kind == "photo_credit":
            photo_credit = _PHOTO_CREDIT.match(text)["who"].strip()
            continue
        if kind in ("column", "furniture", "masthead"):
            continue
        if kind == "summary_label":
            rest = _SUMMARY_LABEL.match(text)["rest"].strip()
            target = lead or current
            if target is not None and rest:
                target.summary = repair.clean_body(rest)
            else:
                expect_summary = target is not None
            continue
        if kind == "caption":
            block = Block("caption", text)
            (current.blocks if current else orphans).append(block)
            continue
        # an ordinary line: heading or paragraph
        if repair.heading_like(text) and nxt is not None and not _is_brief_start(text):
            if _is_brief_start(nxt):
                current = Story(title=repair.clean_title(text))
                stories.append(current)
                continue
            if lead is None and not stories:
                title, subtitle = _split_headline(text)
                lead = current = Story(title=title, subtitle=subtitle)
                stories.append(lead)
                continue
            if lead is not None:
                lead.blocks.append(Block("heading", repair.clean_title(text)))
                current = lead
                continue
            # a feature below the briefs with no page headline above it
            title, subtitle = _split_headline(text)
            lead = current = Story(title=title, subtitle=subtitle)
            stories.append(lead)
            continue
        body = repair.clean_body(text)
        if expect_summary and (lead or current):
            (lead or current).summary = body
            expect_summary = False
            continue
        if current is None:
            orphans.append(Block("para", body))
        else:
            current.blocks.append(Block("para", body))

    if not stories:
        return []
    if orphans:
        stories[0].blocks[:0] = orphans
    for position, story in enumerate(stories, 1):
        story.position = position
        story.authors = list(dict.fromkeys(authors))
        _credit_captions(story, photo_credit)
        page.warnings += repair.repair_story(story)
    return [s for s in stories if s.blocks or s.summary]


def _next_text(lines: list[Line], i: int) -> str | None:
    """The next ordinary line (captions, labels and furniture skipped)."""
    for line in lines[i + 1:]:
        if line.kind == "text":
            return line.text
    return None


def _split_headline(text: str) -> tuple[str, str]:
    """"主题—— 副题" -> (主题, 副题)."""
    main, sep, sub = text.partition("——")
    if sep and main.strip() and sub.strip():
        return repair.clean_title(main), repair.clean_title(sub)
    return repair.clean_title(text), ""


def _names(who: str) -> list[str]:
    names = []
    for part in _NAMES.split(who):
        name = _NAME_TITLES.sub("", part.strip())
        if 2 <= len(name) <= 4 and re.fullmatch(rf"[{repair.CJK}·]+", name):
            names.append(name)
    return names


def _credit_captions(story: Story, photo_credit: str) -> None:
    """Uncredited photos are the page credit's ("除署名外由…提供")."""
    if not photo_credit:
        return
    for block in story.blocks:
        if block.kind == "caption" and not _PHOTO_BY.search(block.text) \
                and not CAPTION_CREDIT.search(block.text):
            block.text = f"{block.text} {photo_credit} 提供"
