"""What each line of a printed page is, from what the layout leaves.

A text dump keeps little of the page: line lengths, punctuation, blank
lines, indentation, and wording that papers print the same way every day.
This module reads those features for one line at a time and gives the roles
a line can have on its own (furniture, credit, jump line, byline, dateline,
caption, subtitle, table row …).  Roles that depend on the neighbours
(headline, kicker, column header, section heading) are decided in
:mod:`.segment`, which sees what follows each line.

Every role comes with a reason in words, shown by ``--explain`` and in the
review report.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..fields import without_invisible
from . import bylines, repair
from .bylines import Credit
from .repair import CJK

# Role names, with the label editors see.
ROLE_LABELS = {
    "headline": "标题", "kicker": "引题", "subtitle": "副题", "byline": "署名",
    "dateline": "电头", "body": "正文", "caption": "图片说明", "credit": "版面署名",
    "jump": "转版", "furniture": "版面杂项", "table": "表格", "column": "栏目",
    "section": "小标题", "summary": "核心提示", "table_title": "表题",
}

# "营口快讯 KUAIXUN": a short Chinese column name and a Latin word.
_COLUMN_LATIN = re.compile(rf"^[{CJK}·]{{2,10}}\s*[A-Z][A-Za-z]{{2,}}(?:\s+[A-Z][A-Za-z]+)*$")
# "■县区传真", "【民生视点】": a decorated short name is a column header.
_COLUMN_DECORATED = re.compile(rf"^(?:[■□●◆◇★☆▌]\s*[{CJK}·]{{2,10}}|[【〖][{CJK}·]{{2,10}}[】〗])$")
PAGE_CREDIT = re.compile(
    r"^本版(?:稿件|文字|文章|内容)?(?:除署名外)?由(?P<who>.+?)(?:采写|撰写|撰稿|采访)(?:整理)?[。.]?$")
PHOTO_CREDIT = re.compile(
    r"^本版(?:照片|图片|摄影)(?:除署名外)?由(?P<who>.+?)(?:提供|拍摄|摄)[。.]?$")
_EDITOR = re.compile(
    r"^(?:本版)?(?:责任编辑|编辑|责编|美编|版式|版式设计|校对|组版|制图|视觉|审读|审校|值班主任|"
    r"值班编委|主编|终审|监制|图片编辑|摄影编辑|版面设计|排版|来源|稿源|发布时间|浏览次数|点击数)\s*[:：]"
    r"|^[（(]\s*完\s*[）)]$")
_COPYRIGHT = re.compile(
    r"版权所有|版权声明|未经.{0,8}(?:许可|授权|同意).{0,12}(?:转载|使用|复制)|Copyright|©|"
    r"All Rights Reserved|ICP\s*[备证]|公网安备|互联网新闻信息服务许可|新闻热线|订阅热线|"
    r"发行热线|广告热线|广告经营许可证|本报地址|社址[:：]|邮政编码|邮编[:：]", re.IGNORECASE)
_PAPER_NAME = re.compile(rf"^[{CJK}]{{2,8}}(?:日报|晚报|早报|商报|时报|导报|周报)(?:社)?$")
_BARE_PAGE_NUMBER = re.compile(r"^[-—–·•\s]*(?:第\s*)?(?:[A-D]\s*)?\d{1,3}\s*(?:版)?[-—–·•\s]*$")
_PAGE_LABEL = re.compile(r"第\s*(?P<n>[0-9A-Za-z]{1,3})\s*版")
_CN_DATE = re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
# A masthead line is made of these parts, in any order: paper name, date,
# weekday, page label with its name (第05版：县区新闻), separators.
_MASTHEAD_PARTS = (
    re.compile(rf"[{CJK}·]{{2,8}}(?:日报|晚报|早报|商报|时报|导报|周报|报)(?:社)?"),
    re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}-\d{1,2}-\d{1,2}"),
    re.compile(r"星期[一二三四五六日天]|周[一二三四五六日]|农历[\u4e00-\u9fff]{2,6}"),
    re.compile(rf"第\s*[0-9A-Za-z]{{1,3}}\s*版(?:\s*[:：]?\s*(?P<name>[{CJK}]{{1,8}}))?"),
)
_MASTHEAD_SEPARATORS = re.compile(r"\s*[|｜/／·•]\s*")
# "（下转第7版）", "(上接第1版)", "下转A3版": where a story goes on or came from.
_JUMP = re.compile(
    r"[（(]\s*(?P<dir>下转|转|上接|接|紧接|续|转至)\s*(?:第\s*)?(?P<n>[0-9A-Za-z]{1,3})\s*版\s*[）)]")
_JUMP_LINE = re.compile(
    r"^[（(]?\s*(?P<dir>下转|转|上接|接|紧接|续|转至)\s*(?:第\s*)?(?P<n>[0-9A-Za-z]{1,3})\s*版\s*[）)]?$")
SUMMARY_LABEL = re.compile(r"^[【\[]?核心提示[】\]]?\s*[:：]?\s*(?P<rest>.*)$")
# "… 本报记者 王晓东 摄": the credit follows a space or the caption's full stop.
PHOTO_BY = re.compile(
    rf"(?:^|[\s。！？])(?:(?:本报|特约)?(?:记者|通讯员|摄影记者)\s*)?[{CJK}·]{{2,4}}\s*(?:摄|供图)$")
_CAPTION_MARK = re.compile(r"^(?:[▲△▼↑↓←→]|图为|图[一二三四五六\d]\s*[:：]|上图[:：]?|下图[:：]?)")
_CELL_SPLIT = re.compile(r"\t+|[ \u00a0]{2,}|\u3000+")
# Cells hold names and figures, never sentences.
_NOT_IN_CELL = re.compile(r"[。，；！？]")
SUBTITLE = re.compile(r"^[—－-]{2}\s*(?P<text>\S.*)$")


@dataclass
class Line:
    """One printed line (or several, once a broken paragraph is re-joined)."""

    number: int                  # 1-based line number in the file
    raw: str                     # as printed, spacing kept
    text: str                    # spaces cleaned
    gap: int                     # blank lines before it
    indent: bool                 # printed with a paragraph indent
    role: str = "body"
    reason: str = ""
    credits: list[Credit] = field(default_factory=list)
    jumps: list[tuple[str, str]] = field(default_factory=list)   # (to|from, 第07版)
    cells: list[str] = field(default_factory=list)
    closing: bool = False        # a sign-off line "（记者 王晓东）": ends a story
    full: bool = False           # its last printed line fills the column: it wraps
    para_start: bool = False     # indented on a page that indents paragraphs
    joins: list[str] = field(default_factory=list)               # why lines were joined

    def set(self, role: str, reason: str) -> None:
        self.role, self.reason = role, reason


@dataclass
class PageFacts:
    """What furniture lines say about the page itself."""

    date: dt.date | None = None
    label: str = ""
    name: str = ""
    warnings: list[str] = field(default_factory=list)


# A paragraph indent: full-width spaces or a tab, or four plain spaces (two
# plain spaces are as often a stray as an indent).
_INDENT = re.compile(r"^(?:\u3000+|\t|[ \u00a0]{4,})")


def read_lines(text: str) -> list[Line]:
    lines, gap = [], 0
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        cleaned = repair.clean_spaces(raw)
        if not cleaned:
            gap += 1
            continue
        raw = without_invisible(raw).rstrip()
        lines.append(Line(number, raw, cleaned, gap, bool(_INDENT.match(raw))))
        gap = 0
    return lines


def page_label(n: str) -> str:
    return f"第{n.upper().zfill(2)}版"


def jump_target(direction: str, n: str) -> tuple[str, str]:
    return ("from" if direction in ("上接", "接", "紧接", "续") else "to", page_label(n))


def classify(lines: list[Line], facts: PageFacts) -> None:
    """Give every line the role it has on its own; the rest stay "body"."""
    for line in lines:
        _classify_one(line, facts)
    _find_tables(lines)


def _classify_one(line: Line, facts: PageFacts) -> None:
    text = line.text
    if _COLUMN_LATIN.match(text):
        return line.set("column", "栏目名：中文名加拉丁字母名")
    if _COLUMN_DECORATED.match(text):
        return line.set("column", "栏目名：带栏目符号（■、【】）的短名")
    if PAGE_CREDIT.match(text):
        return line.set("credit", "本版稿件署名（“本版稿件由……采写”）")
    if PHOTO_CREDIT.match(text):
        return line.set("credit", "本版图片署名（“本版照片……提供”）")
    if _EDITOR.match(text):
        return line.set("furniture", "编辑署名行（责任编辑、版式设计、校对……）")
    if len(text) <= 120 and _COPYRIGHT.search(text):
        return line.set("furniture", "版权、备案或报社地址信息")
    if _BARE_PAGE_NUMBER.match(text):
        return line.set("furniture", "单独的版号或页码")
    masthead = _MASTHEAD_SEPARATORS.sub(" ", text).strip()
    if len(masthead) <= 50 and _is_masthead(masthead):
        _read_masthead(masthead, facts)
        return line.set("furniture", "报头行（报名、日期、版次、版名）")
    if _PAPER_NAME.match(text):
        return line.set("furniture", "单独的报名")
    if facts.name and text == facts.name:
        return line.set("furniture", f"版名“{facts.name}”")
    jump = _JUMP_LINE.match(text)
    if jump:
        line.jumps.append(jump_target(jump["dir"], jump["n"]))
        return line.set("jump", f"转版行：{'接自' if line.jumps[0][0] == 'from' else '转至'}{line.jumps[0][1]}")
    if SUMMARY_LABEL.match(text) and text.lstrip("【[").startswith("核心提示"):
        return line.set("summary", "“核心提示”标记")
    sub = SUBTITLE.match(text)
    if sub and len(text) <= 50 and "。" not in text:
        return line.set("subtitle", "以“——”开头的短行")
    if len(text) <= 40:
        credits = bylines.read_credits(text, "标题下署名")
        if credits:
            line.credits = credits
            return line.set("byline", "署名行：" + "、".join(f"{c.role} {c.name}" for c in credits))
        inner = re.fullmatch(r"[（(](.+)[）)]", text)
        credits = bylines.read_credits(inner.group(1), "文末署名") if inner else None
        if credits:
            line.credits, line.closing = credits, True
            return line.set("byline", "单独一行的文末署名：" + "、".join(f"{c.role} {c.name}" for c in credits))
    if repair.DATELINE.match(text):
        _split_jumps_and_signoff(line)
        own = bylines.dateline_credits(text)
        line.credits = own + line.credits
        who = "，含署名" if own else ""
        return line.set("dateline", f"电头（“{repair.DATELINE.match(text).group(0)[:12]}”）{who}")
    if is_caption(line):
        return line.set("caption", "图片说明：" + ("有摄影署名" if PHOTO_BY.search(text) else
                                                  "图片说明标记" if _CAPTION_MARK.match(text) else
                                                  "前后空两行的单句短行"))
    _split_jumps_and_signoff(line)


def _split_jumps_and_signoff(line: Line) -> None:
    """A jump line or sign-off printed at the end (or start) of a paragraph."""
    text = line.text
    # a jump line sits at the very start or end: only those ends are read
    ends = {m.span(): m for m in [*_JUMP.finditer(text, 0, 24), *_JUMP.finditer(text, max(0, len(text) - 24))]}
    for match in sorted(ends.values(), key=lambda m: -m.start()):
        at_end = not text[match.end():].strip()
        at_start = not text[:match.start()].strip()
        if at_end or at_start:
            line.jumps.append(jump_target(match["dir"], match["n"]))
            text = (text[:match.start()] + text[match.end():]).strip()
    text, credits = bylines.split_signoff(text)
    line.credits = credits
    line.text = text


def is_caption(line: Line) -> bool:
    """A photographer's credit, a caption mark, or a short lone sentence.

    Captions stand alone between double blank lines; body paragraphs of that
    length have a comma somewhere.
    """
    text = line.text
    if len(text) <= 80 and PHOTO_BY.search(text):
        return True
    if len(text) <= 80 and _CAPTION_MARK.match(text):
        return True
    return (
        line.gap >= 2 and len(text) <= 40 and text.endswith("。")
        and not re.search(r"[，,：:；]", text[:-1])
        and not repair.DATELINE.match(text)
    )


def _is_masthead(text: str) -> bool:
    """Only masthead parts, and a date or a page label among them."""
    if not (_PAGE_LABEL.search(text) or _CN_DATE.search(text)):
        return False
    rest = text
    for part in _MASTHEAD_PARTS:
        rest = part.sub(" ", rest)
    return not rest.strip()


def _read_masthead(text: str, facts: PageFacts) -> None:
    label = _MASTHEAD_PARTS[3].search(text)
    if label and not facts.label:
        facts.label = page_label(_PAGE_LABEL.search(label.group(0))["n"])
        if label["name"] and not facts.name:
            facts.name = label["name"]
    date = _CN_DATE.search(text)
    if date and facts.date is None:
        try:
            facts.date = dt.date(int(date["y"]), int(date["m"]), int(date["d"]))
        except ValueError:
            facts.warnings.append(f"页眉日期“{date.group(0)}”无效，已忽略")


def _cells(line: Line) -> list[str]:
    cells = [repair.clean_spaces(c) for c in _CELL_SPLIT.split(line.raw.strip(" \t\u3000\u00a0"))]
    cells = [c for c in cells if c]
    if len(cells) < 2 or any(len(c) > 24 or _NOT_IN_CELL.search(c) for c in cells):
        return []
    return cells


def _find_tables(lines: list[Line]) -> None:
    """Runs of aligned rows (tabs or runs of spaces between short cells)."""
    i = 0
    while i < len(lines):
        cells = _cells(lines[i]) if lines[i].role == "body" and not lines[i].jumps else []
        if not cells:
            i += 1
            continue
        run = [(lines[i], cells)]
        j = i + 1
        while j < len(lines) and lines[j].role == "body" and lines[j].gap <= 1:
            more = _cells(lines[j])
            if not more or abs(len(more) - len(cells)) > 1 or len(more) > len(cells):
                break
            run.append((lines[j], more))
            j += 1
        width = len(cells)
        digits = any(re.search(r"\d", c) for _, row in run for c in row)
        if (len(run) >= 2 and width >= 3) or (len(run) >= 3 and digits):
            for k, (line, row) in enumerate(run):
                line.cells = row + [""] * (width - len(row))
                line.set("table", f"表格第 {k + 1} 行：{width} 栏，以制表符或多个空格对齐")
            i = j
        else:
            i += 1
