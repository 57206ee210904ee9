"""Undoing the damage text extraction does to a page.

Three kinds of damage, three rules, none of which removes a real word:

* paragraphs broken across blank lines or at a column foot, even in the
  middle of a word: a line that does not end a sentence continues in the
  next line, and so does a short unpunctuated line that the evidence shows
  is a cut paragraph start rather than a heading (see :func:`fragment_evidence`);
* a passage repeated verbatim (a column's last lines printed again at the
  top of the next): the second, adjacent copy is dropped, and so is a whole
  paragraph that repeats an earlier one of the same story;
* stray spaces and blank lines: whitespace is normalised, and spaces
  between two Chinese characters (never real in Chinese text) are removed.

Every step is linear in the length of the page.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

from ..fields import without_invisible

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Chinese punctuation: a space next to it is never meaningful either.
CJK_PUNCT = "，。、；：？！“”‘’（）《》【】〈〉「」『』—…·％"
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_CJK_SPACE = re.compile(rf"(?<=[{CJK}{CJK_PUNCT}]) (?=[{CJK}{CJK_PUNCT}])")
# "本报讯 日前，…" / "本报6月12日讯（记者 王晓东）…" / "新华社营口6月12日电":
# the space after the dateline is house style, keep it.
DATELINE = re.compile(
    rf"^(?:本报|新华社|中新社)(?:(?!记者|通讯员)[{CJK}]){{0,4}}?(?:\d{{1,2}}月\d{{1,2}}日)?(?:讯|电)"
    r"(?:[（(][^）)]*[）)])?")

# A sentence ends with one of these, optionally followed by closing quotes or
# brackets.  A colon ends a paragraph too ("措施如下：" then a list).
_SENTENCE_END = re.compile(r"[。！？!?…；;：:][”’」』）)》】\"']*$")
# A line ending with one of these certainly goes on.
_CONTINUES = re.compile(r"[，,、（(“‘《〈「『—\-]$")
# A line starting with one of these is the tail of the line before.
_TAIL_START = re.compile(r"^[，,。.、；;：:？?！!）)》〉」』”’…%％]")
# Words a paragraph opens with and a headline does not.
_PARAGRAPH_OPENER = re.compile(
    r"^(?:据了解|据悉|据介绍|据统计|目前|此外|同时|另外|其中|截至|近年来|今年以来|下一步|"
    r"与此同时|记者了解到|记者获悉|为此|对此|随后|之后|该项目|该中心|该园区|该局|该公司)")
# Characters a headline never ends with: a cut inside a phrase.
_DANGLING = "的地得和与及或在对为将把被从向于以由让使并而且是"

HEADING_MAX = 40   # a printed heading is never longer than this
REPEAT_MIN = 10    # shortest passage whose verbatim repeat counts as damage
REPEAT_MAX = 4000  # longest passage looked for (a column's worth of text)
OVERLAP_MAX = 400  # longest paragraph end looked for again at the next's start


def clean_spaces(text: str) -> str:
    """One space for any run of whitespace; no invisible characters."""
    text = without_invisible(text)  # the site's rule for every text field
    return _SPACES.sub(" ", text).strip()


def clean_body(text: str) -> str:
    """clean_spaces, then drop spaces between Chinese characters.

    The single space after a 本报讯 dateline is kept.
    """
    text = clean_spaces(text)
    match = DATELINE.match(text)
    if match:
        head, rest = text[: match.end()], text[match.end():]
        spaced = rest.startswith(" ")
        rest = _CJK_SPACE.sub("", rest.strip())
        return head + (" " if spaced else "") + rest
    return _CJK_SPACE.sub("", text)


def clean_title(text: str) -> str:
    """clean_spaces for titles and headings.

    A title of two phrases keeps its space ("航线再加密 通关再提速"); a title
    whose "phrases" include one- or two-character scraps ("老边区 柳树镇 建成")
    was split by stray spaces, which are removed; three-character phrases
    ("改管网 补短板 提品质") are a common headline pattern and stay.
    """
    text = clean_spaces(text)
    parts = text.split(" ")
    if len(parts) > 1 and any(len(p) < 3 and re.fullmatch(rf"[{CJK}]+", p) for p in parts):
        return _CJK_SPACE.sub("", text)
    return text


def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))


def continues(text: str) -> bool:
    return bool(_CONTINUES.search(text))


def is_tail(text: str) -> bool:
    return bool(_TAIL_START.match(text))


def heading_like(text: str) -> bool:
    """Short, no sentence punctuation inside: a title or section heading."""
    commas = len(re.findall(r"[，,]", text))
    return (
        0 < len(text) <= HEADING_MAX
        and not re.search(r"[。；;]", text)
        # a headline may hold one comma ("牢记嘱托，奋力…"); a longer line
        # with commas is a paragraph cut short
        and (commas == 0 or (commas == 1 and len(text) <= 24))
        and not DATELINE.match(text)
        and not ends_sentence(text)
        and not continues(text)
    )


def join(first: str, second: str) -> str:
    """Glue a line to its continuation.

    Chinese needs no space and neither does a number cut in two
    ("总投资1" + "2.6亿元"); two Latin words do ("Wi" + "Fi").
    """
    if re.search(r"[A-Za-z]$", first) and re.match(r"[A-Za-z]", second):
        return f"{first} {second}"
    return first + second


def fragment_evidence(first: str, second: str, indents: tuple[bool, bool] | None = None
                      ) -> tuple[int, list[str]]:
    """How strongly a short unpunctuated ``first`` is a cut paragraph start.

    ``indents`` says whether each line was printed indented, when the page
    indents its paragraphs at all.  Returns (score, reasons); 2 or more
    means join.
    """
    score, reasons = 0, []
    if first and first[-1] in _DANGLING:
        score += 2
        reasons.append(f"以“{first[-1]}”结尾，标题不会这样断开")
    if _PARAGRAPH_OPENER.match(first):
        score += 2
        reasons.append("以段首用语开头（据了解、目前……）")
    if re.search(r"\d$", first) and re.match(r"[\d.]", second):
        score += 3
        reasons.append("数字被断开")
    if re.search(r"[A-Za-z]$", first) and re.match(r"[A-Za-z]", second):
        score += 3
        reasons.append("英文单词被断开")
    if indents is not None:
        first_indent, second_indent = indents
        if first_indent and not second_indent:
            score += 2
            reasons.append("本行有段首缩进、下一行没有：同一段")
        elif second_indent and not first_indent:
            score -= 2
            reasons.append("下一行有段首缩进：新的一段")
    return score, reasons


def should_join(first: str, second: str, indents: tuple[bool, bool] | None = None,
                wrapped: bool = False) -> bool:
    """Does ``second`` continue the paragraph ``first`` was cut from?

    ``wrapped``: the line ``first`` ends with filled the printed column.
    """
    if DATELINE.match(second):
        return False        # 本报讯 always opens a new story
    if wrapped and not (indents is not None and indents[1]):
        return True
    if is_tail(second):
        return True
    if ends_sentence(first):
        # On a page that indents its paragraphs, a line printed without the
        # indent goes on with the paragraph even after a full stop (narrow
        # columns often end a line at one) -- unless it is a heading.
        return bool(indents is not None and indents[0] and not indents[1]
                    and not heading_like(second))
    if continues(first) or not heading_like(first):
        return True
    # A short unpunctuated line is a heading, unless what follows is a
    # scrap that ends the sentence ("…的通" / "道。") -- no heading is
    # followed by a paragraph that short -- or the line shows it was cut.
    if len(second) <= 8 and ends_sentence(second) and "，" not in second:
        return True
    return fragment_evidence(first, second, indents)[0] >= 2


def drop_adjacent_repeats(text: str, min_len: int = REPEAT_MIN) -> tuple[str, list[str]]:
    """Remove the second copy of a passage repeated back to back.

    Returns the text and the dropped passages (for the report).  A passage
    must be at least ``min_len`` characters with five different characters,
    so "哈哈哈…" or a run of digits is never touched.

    Linear: both copies of a repeat start with the same window of
    ``min_len`` characters, so only positions whose window occurs twice are
    looked at (most paragraphs have none), each remembering where its window
    was last seen; a window seen L characters earlier, where the L
    characters before it equal the L after, starts a copy.
    """
    n = len(text)
    if n < 2 * min_len:
        return text, []
    windows = [text[i:i + min_len] for i in range(n - min_len + 1)]
    counts = Counter(windows)
    if len(counts) == len(windows):
        return text, []
    candidates = [i for i, window in enumerate(windows) if counts[window] > 1]
    out: list[str] = []       # pieces of the kept text
    dropped: list[str] = []
    seen: dict[str, list[int]] = {}   # window -> its last few positions
    kept_from = 0
    k = 0
    while k < len(candidates):
        i = candidates[k]
        k += 1
        if i < kept_from:
            continue
        window = windows[i]
        positions = seen.get(window)
        if positions is None:
            seen[window] = [i]
            continue
        found = 0
        for j in reversed(positions):
            length = i - j
            if length < min_len or j < kept_from or length > REPEAT_MAX or i + length > n:
                continue
            # cheap checks first: the copies end alike
            if text[i - 1] != text[i + length - 1]:
                continue
            if text[j:i] == text[i:i + length] and len(set(text[j:i])) >= 5:
                found = length
                break
        if not found:
            positions.append(i)
            if len(positions) > 4:
                del positions[0]
            continue
        start = i - found
        # report the passage from a word, not from the full stop before it
        while (text[start] in CJK_PUNCT + "。，" and i + 1 + found <= n
               and text[start + 1:i + 1] == text[i + 1:i + 1 + found]):
            start, i = start + 1, i + 1
        passage = text[start:i]
        end = i + found
        while text[end:end + found] == passage:     # a third copy
            end += found
        out.append(text[kept_from:i])
        dropped.append(passage)
        kept_from = end
        seen.clear()
        k = bisect.bisect_left(candidates, end)
    out.append(text[kept_from:])
    return "".join(out), dropped


def repair_story(story) -> list[str]:
    """Drop verbatim repeats inside and across a story's paragraphs.

    Returns one warning per dropped passage so the editor can check it.
    """
    warnings = []
    for block in story.blocks:
        if block.kind == "para":
            block.text, dropped = drop_adjacent_repeats(block.text)
            warnings += [f"《{story.title}》删去了重复的文字：“{_short(p)}”" for p in dropped]
    seen: set[str] = set()
    kept = []
    last_para = None
    for block in story.blocks:
        key = re.sub(r"\s+", "", block.text)
        if block.kind == "para" and key in seen and len(key) >= REPEAT_MIN:
            warnings.append(f"《{story.title}》删去了重复的段落：“{_short(block.text)}”")
            continue
        if block.kind == "para" and last_para is not None:
            overlap = _overlap(last_para.text, block.text)
            if overlap:
                warnings.append(f"《{story.title}》删去了上一段末尾重印的文字：“{_short(overlap)}”")
                block.text = block.text[len(overlap):].lstrip()
                if not block.text:
                    continue
        if block.kind == "para":
            last_para = block
        # the same caption twice in a row is one photo printed once
        if block.kind == "caption" and kept and kept[-1].kind == "caption" \
                and kept[-1].text == block.text and kept[-1].image == block.image:
            continue
        if block.kind == "para":
            seen.add(key)
        kept.append(block)
    story.blocks = kept
    return warnings


def _overlap(previous: str, text: str) -> str:
    """The end of ``previous`` printed again at the start of ``text``.

    A column's last lines repeated at the top of the next column become the
    start of a new paragraph once the line break between them is read as a
    paragraph end.  Only a whole sentence or clause (starting after
    punctuation) of at least ``REPEAT_MIN`` characters counts.
    """
    tail = previous[-OVERLAP_MAX:]
    if len(text) < REPEAT_MIN or text[:REPEAT_MIN] not in tail:
        return ""
    starts = [0] + [m.end() for m in re.finditer(r"[。！？；，、：]", tail)]
    for start in starts:
        candidate = tail[start:].lstrip()
        if len(candidate) < REPEAT_MIN or len(set(candidate)) < 5:
            continue
        if text.startswith(candidate):
            return candidate
    return ""


def _short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[:n] + "…"
