"""Splitting a text page into stories from the roles of its lines.

After :mod:`.roles` has given each line the role it has on its own, three
passes finish the page, each linear in its length:

1. :func:`rejoin` glues lines that were one paragraph before extraction
   (column breaks, cut words, numbers cut in two);
2. :func:`decide_headings` looks at what follows every short unpunctuated
   line.  Followed by a subtitle, a byline, a dateline, a 上接 jump line, a
   核心提示 or a body that ends with a sign-off, it opens a story; above
   such a headline it is a kicker (引题) or a column header; above a table
   it is the table's title.  One followed by plain body is decided in pass 3;
3. :func:`assemble` reads the page top to bottom.  A short line followed by
   plain body opens a new story when the story being read is closed (it
   ended with a sign-off or a 下转 jump) or when the line looks like a
   headline; it is a section heading (``##``) of the feature being read
   when it looks like one (short, quoted phrase, numbered).

Each decision is written down with its evidence (``--explain``).
"""

from __future__ import annotations

import re
from collections import Counter

from ..figures import CAPTION_CREDIT
from . import bylines, repair
from .model import Block, LineNote, Page, Story
from .roles import PAGE_CREDIT, PHOTO_BY, PHOTO_CREDIT, SUBTITLE, SUMMARY_LABEL, Line

_SKIP = {"caption", "credit", "furniture"}
_NUMBERED = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．]"
    r"|第[一二三四五六七八九十]+[，、]?)")
_NEWS_LEAD = re.compile(
    r"^(?:近日|日前|昨天|昨日|今天|今日|近期|\d{1,2}月\d{1,2}日|今年以来|记者(?:近日|日前)?从|记者.{0,8}获悉)")
_COLUMN_SHAPE = re.compile(rf"^[{repair.CJK}·]{{2,6}}$")


def rejoin(lines: list[Line]) -> list[Line]:
    """Re-join body lines that were one paragraph before extraction.

    Two page-wide features help: whether the page indents its paragraphs
    (then an indented line starts one and an unindented one goes on), and
    the column width of a dump that keeps the printed lines (a line that
    fills the column wraps into the next).
    """
    body = [line for line in lines if line.role in ("body", "dateline")]
    indented = sum(1 for line in body if line.indent)
    # indentation is evidence only on a page that indents some lines, not all
    use_indent = bool(body) and 0.2 <= indented / len(body) <= 0.9
    width = _column_width(body)
    for line in body:
        line.full = width is not None and abs(len(line.text) - width) <= 2
        line.para_start = use_indent and line.indent
    out: list[Line] = []
    for line in lines:
        prev = out[-1] if out else None
        indents = (prev.indent, line.indent) if prev is not None and use_indent else None
        wrapped = prev is not None and prev.full and (
            (use_indent and not line.indent) or "，" in prev.text)
        if (prev is not None and prev.role in ("body", "dateline") and line.role == "body"
                and not _has_signoff(prev)
                and not any(d == "to" for d, _ in prev.jumps)
                and not any(d == "from" for d, _ in line.jumps)
                and repair.should_join(prev.text, line.text, indents, wrapped)):
            why = "整行排满，转到下一行" if wrapped else _join_reason(prev.text, line.text, indents)
            prev.text = repair.join(prev.text, line.text)
            prev.jumps += line.jumps
            prev.credits = prev.credits + line.credits
            prev.full = line.full
            prev.joins.append(f"接第{line.number}行（{why}）")
            continue
        out.append(line)
    return out


def _column_width(body: list[Line]) -> int | None:
    """The width of a narrow column, when most printed lines share it."""
    lengths = Counter(len(line.text) for line in body if 12 <= len(line.text) <= 30)
    if not lengths or len(body) < 8:
        return None
    width, _ = max(lengths.items(), key=lambda item: (
        sum(lengths.get(item[0] + d, 0) for d in (-2, -1, 0, 1, 2)), item[0]))
    near = sum(lengths.get(width + d, 0) for d in (-2, -1, 0, 1, 2))
    return width if near >= 0.5 * len(body) else None


def _has_signoff(line: Line) -> bool:
    return any(c.where.startswith("文末") for c in line.credits)


def _join_reason(first: str, second: str, indents) -> str:
    if repair.is_tail(second):
        return "下一行以标点开头"
    if not repair.heading_like(first) or repair.continues(first):
        return "句子没有结束"
    if len(second) <= 8 and repair.ends_sentence(second):
        return "下一行是句尾残片"
    _, reasons = repair.fragment_evidence(first, second, indents)
    return "栏底断行：" + "，".join(reasons)


def _candidate(line: Line) -> bool:
    return (line.role == "body" and not line.credits and not line.jumps and not line.para_start
            and repair.heading_like(line.text))


def decide_headings(lines: list[Line]) -> None:
    """Pass 2: the role of each short line from what follows it."""
    signed: list[bool] = [False] * len(lines)
    nxt = None
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if line.role in ("body", "dateline") and not _candidate(line):
            after = lines[nxt] if nxt is not None else None
            signed[i] = _has_signoff(line) or any(d == "to" for d, _ in line.jumps) or (
                after is not None and (after.closing or after.role == "jump"
                                       and any(d == "to" for d, _ in after.jumps)
                                       or after.role in ("body", "dateline") and signed[nxt]
                                       and not _candidate(after)))
        if _candidate(line):
            _decide_one(line, lines[nxt] if nxt is not None else None,
                        signed[nxt] if nxt is not None else False)
        if line.role not in _SKIP:
            nxt = i


def _decide_one(line: Line, after: Line | None, after_signed: bool) -> None:
    if after is None:
        return line.set("body", "后面没有正文的短行：按正文保留")
    role = after.role
    if role == "subtitle":
        return line.set("headline", "下一行是副题（——……）")
    if role == "byline" and not after.closing:
        return line.set("headline", "下一行是署名（" + "、".join(c.name for c in after.credits) + "）")
    if role == "dateline":
        return line.set("headline", "下一行是电头")
    if role == "jump" and any(d == "from" for d, _ in after.jumps):
        return line.set("headline", f"下一行是转版行（接自{after.jumps[0][1]}）")
    if role == "summary":
        return line.set("headline", "下面是“核心提示”")
    if role == "table":
        return line.set("table_title", "下面是表格")
    if role == "headline" or role == "weak_headline":
        # above a headline that may yet be a section heading, keep the text
        if role == "headline" and _looks_like_column(line):
            return line.set("column", "标题上方的短栏目名（不超过六个字）")
        return line.set("kicker", "紧挨在标题上方的短行")
    if role == "kicker":
        return line.set("column", "引题上方的短行")
    if role == "body" and not _candidate(after):
        if after_signed:
            return line.set("headline", "后面的正文以署名或转版行结尾：是一篇稿件")
        if any(d == "from" for d, _ in after.jumps):
            return line.set("headline", f"正文以转版行开头（接自{after.jumps[0][1]}）")
        return line.set("weak_headline", "后面是没有电头、署名的正文")
    return line.set("body", "后面不是正文：按正文保留")


def _looks_like_column(line: Line) -> bool:
    return bool(_COLUMN_SHAPE.match(line.text)) and not re.search(r"\d", line.text)


def _section_evidence(text: str, first_para: str) -> tuple[int, int, list[str]]:
    """(section score, headline score, reasons) for a short line over plain body."""
    section = headline = 0
    why = []
    if len(text) <= 12:
        section += 1
        why.append("不超过12字")
    if re.search(r"[“「『\"].+[”」』\"]", text):
        section += 1
        why.append("含引号短语")
    if _NUMBERED.match(text):
        section += 2
        why.append("带序号")
    if len(text) >= 14:
        headline += 1
        why.append("长于14字")
    if _NEWS_LEAD.match(first_para):
        headline += 2
        why.append("正文以消息导语开头（时间或“记者从”）")
    return section, headline, why


class _Assembler:
    def __init__(self, page: Page):
        self.page = page
        self.stories: list[Story] = []
        self.current: Story | None = None
        self.lead: Story | None = None      # the feature sections belong to
        self.closed: set[int] = set()
        self.kicker = ""
        self.orphans: list[Block] = []
        self.page_credits: list[bylines.Credit] = []
        self.photo_credit = ""
        self.expect_summary = False
        self.pending: list[LineNote] = []    # kicker and column lines: the next story's

    # -- helpers ----------------------------------------------------------
    def note(self, line: Line, role: str, reason: str, ahead: bool = False) -> None:
        if line.joins:
            reason += "；" + "；".join(line.joins)
        note = LineNote(line.number, role, line.text, reason)
        self.page.lines.append(note)
        if ahead:
            self.pending.append(note)
        elif self.current is not None:
            self.current.lines.append(note)

    def blocks(self) -> list[Block]:
        return self.current.blocks if self.current is not None else self.orphans

    def feature_like(self, story: Story | None) -> bool:
        return story is not None and bool(
            story.summary or story.subtitle or story.kicker
            or any(c.where == "标题下署名" for c in story.credits)
            or any(b.kind == "heading" for b in story.blocks))

    def mark_feature(self, story: Story) -> None:
        """The first story with a feature's furniture is the one sections join."""
        if self.lead is None and self.feature_like(story):
            self.lead = story

    def open_story(self, line: Line, reason: str) -> None:
        title, subtitle = _split_headline(line.text)
        story = Story(title=title, subtitle=subtitle, kicker=self.kicker)
        self.kicker = ""
        self.stories.append(story)
        self.current = story
        story.lines += self.pending
        story.notes += [f"栏目：{n.text}（栏目名不写进文章）" for n in self.pending if n.role == "column"]
        self.pending = []
        self.mark_feature(story)
        story.notes.append(f"第{line.number}行作标题：{reason}")
        self.note(line, "headline", reason)

    # -- the pass ---------------------------------------------------------
    def run(self, lines: list[Line]) -> list[Story]:
        for i, line in enumerate(lines):
            getattr(self, "on_" + line.role)(line, lines, i)
        return self.finish()

    def on_headline(self, line, lines, i):
        self.open_story(line, line.reason)

    def on_weak_headline(self, line, lines, i):
        first = next((x.text for x in lines[i + 1:i + 4] if x.role in ("body", "dateline")), "")
        if self.current is None:
            return self.open_story(line, "本版第一个标题，" + line.reason)
        if id(self.current) in self.closed:
            return self.open_story(line, "上一篇已以署名或转版行结束，" + line.reason)
        self.mark_feature(self.current)
        section, headline, why = _section_evidence(line.text, first)
        target = self.current if self.feature_like(self.current) else (
            self.lead if self.feature_like(self.lead) else None)
        if target is None and section >= 2 and section > headline:
            target = self.current
        if target is not None and section >= headline and (section or target is self.current):
            self.current = target
            if self.kicker:         # a line above a section heading is part of it
                target.blocks.append(Block("heading", self.kicker))
                self.kicker = ""
            target.lines += self.pending
            self.pending = []
            target.blocks.append(Block("heading", repair.clean_title(line.text)))
            why_text = "、".join(why) or "没有新稿件的迹象"
            return self.note(line, "section", f"正在读的特稿《{target.title}》的小标题：{why_text}")
        self.open_story(line, line.reason + "；" + ("、".join(why) or "不像小标题"))

    def on_kicker(self, line, lines, i):
        self.kicker = repair.clean_title(line.text)
        self.note(line, "kicker", line.reason, ahead=True)

    def on_column(self, line, lines, i):
        self.note(line, "column", line.reason, ahead=True)

    def on_furniture(self, line, lines, i):
        self.note(line, "furniture", line.reason)

    def on_credit(self, line, lines, i):
        page = PAGE_CREDIT.match(line.text)
        if page:
            self.page_credits += [bylines.Credit("记者", n, "本版稿件署名")
                                  for n in _names(page["who"])]
        else:
            self.photo_credit = PHOTO_CREDIT.match(line.text)["who"].strip()
        self.note(line, "credit", line.reason)

    def on_subtitle(self, line, lines, i):
        text = repair.clean_title(SUBTITLE.match(line.text)["text"])
        if self.current is not None and not self.current.blocks and not self.current.subtitle:
            self.current.subtitle = text
            self.mark_feature(self.current)
            return self.note(line, "subtitle", line.reason)
        self.blocks().append(Block("para", repair.clean_body(line.text)))
        self.note(line, "body", "以“——”开头，但不在标题下：按正文保留")

    def on_byline(self, line, lines, i):
        if self.current is None:
            self.orphans.append(Block("para", line.text))
            return self.note(line, "body", "署名出现在任何标题之前：按正文保留")
        where = "文末署名" if line.closing or self.current.blocks else "标题下署名"
        self.current.credits += [bylines.Credit(c.role, c.name, where) for c in line.credits]
        if where == "文末署名":
            self.closed.add(id(self.current))
        else:
            self.mark_feature(self.current)
        self.note(line, "byline", line.reason)

    def on_dateline(self, line, lines, i):
        self.on_body(line, lines, i, role="dateline")

    def on_body(self, line, lines, i, role="body"):
        text = repair.clean_body(line.text)
        if self.expect_summary and self.current is not None:
            self.current.summary = text
            self.expect_summary = False
            return self.note(line, "summary", "“核心提示”下的一段")
        if text:
            self.blocks().append(Block("para", text))
        reason = line.reason or "正文段落"
        if self.current is not None:
            if line.credits:
                self.current.credits += line.credits
                for where in dict.fromkeys(c.where for c in line.credits):
                    reason += f"；{where}：" + "、".join(
                        f"{c.role} {c.name}" for c in line.credits if c.where == where)
                if _has_signoff(line):
                    self.closed.add(id(self.current))
            self._jumps(line)
            for direction, label in line.jumps:
                reason += f"；{'转至' if direction == 'to' else '接自'}{label}（转版行已从正文去掉）"
        self.note(line, role, reason)

    def _jumps(self, line: Line) -> None:
        for direction, label in line.jumps:
            if direction == "to":
                self.current.continued_to.append(label)
                self.closed.add(id(self.current))
            else:
                self.current.continued_from.append(label)

    def on_jump(self, line, lines, i):
        if self.current is None:
            self.page.warnings.append(f"第{line.number}行的转版行“{line.text}”不属于任何稿件，已忽略")
        else:
            self._jumps(line)
        self.note(line, "jump", line.reason)

    def on_summary(self, line, lines, i):
        rest = SUMMARY_LABEL.match(line.text)["rest"].strip()
        target = (self.current if self.current is not None and not self.current.blocks
                  else self.lead or self.current)
        if target is not None and rest:
            target.summary = repair.clean_body(rest)
        else:
            self.expect_summary = target is not None
        if target is not None:
            self.lead = self.lead or target
        self.note(line, "summary", line.reason)

    def on_caption(self, line, lines, i):
        self.blocks().append(Block("caption", line.text))
        self.note(line, "caption", line.reason)

    def on_table_title(self, line, lines, i):
        if self.current is None or id(self.current) in self.closed:
            return self.open_story(line, "表格上方的标题，上一篇已结束：表格自成一篇")
        self.blocks().append(Block("para", repair.clean_body(line.text)))
        self.note(line, "table_title", line.reason)

    def on_table(self, line, lines, i):
        blocks = self.blocks()
        if i > 0 and lines[i - 1].role == "table" and blocks and blocks[-1].kind == "table":
            blocks[-1].rows.append(line.cells)
        else:
            blocks.append(Block("table", "", rows=[line.cells]))
        self.note(line, "table", line.reason)

    # -- the end ----------------------------------------------------------
    def finish(self) -> list[Story]:
        if not self.stories:
            return []
        if self.orphans:
            self.stories[0].blocks[:0] = self.orphans
        kept = []
        for story in self.stories:
            if not story.blocks and not story.summary:
                self.page.warnings.append(f"标题“{story.title}”下没有正文，未作为文章导入")
                continue
            if story.credits:
                story.authors = bylines.author_names(story.credits)
                story.notes.append("作者：" + "、".join(str(c) for c in story.credits))
            elif self.page_credits:
                story.credits = list(self.page_credits)
                story.authors = bylines.author_names(story.credits)
                story.notes.append("本篇没有署名，作者取本版稿件署名：" + "、".join(story.authors))
            _credit_captions(story, self.photo_credit)
            self.page.warnings += repair.repair_story(story)
            kept.append(story)
        for position, story in enumerate(kept, 1):
            story.position = position
        return kept


def _split_headline(text: str) -> tuple[str, str]:
    """"主题——副题" -> (主题, 副题)."""
    main, sep, sub = text.partition("——")
    if sep and main.strip() and sub.strip():
        return repair.clean_title(main), repair.clean_title(sub)
    return repair.clean_title(text), ""


def _names(who: str) -> list[str]:
    credits = bylines.read_credits(who, "本版稿件署名")
    if credits:
        return [c.name for c in credits]
    return [n for n in re.split(r"[、，,和及\s]+", who)
            if 2 <= len(n) <= 4 and re.fullmatch(rf"[{repair.CJK}·]+", n)]


def _credit_captions(story: Story, photo_credit: str) -> None:
    """Uncredited photos are the page credit's ("除署名外由…提供")."""
    if not photo_credit:
        return
    for block in story.blocks:
        if (block.kind == "caption" and not PHOTO_BY.search(block.text)
                and not CAPTION_CREDIT.search(block.text)):
            block.text = f"{block.text} {photo_credit} 提供"


def assemble(lines: list[Line], page: Page) -> list[Story]:
    return _Assembler(page).run(lines)
