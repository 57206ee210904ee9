"""Undoing the damage text extraction does to a page.

Three kinds of damage, three rules, none of which removes a real word:

* paragraphs broken across blank lines, even in the middle of a word: a
  line that does not end a sentence continues in the next line;
* a passage repeated verbatim (a column's last lines printed again at the
  top of the next): the second, adjacent copy is dropped, and so is a whole
  paragraph that repeats an earlier one of the same story;
* stray spaces and blank lines: whitespace is normalised, and spaces
  between two Chinese characters (never real in Chinese text) are removed.
"""

from __future__ import annotations

import re

from ..fields import without_invisible

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Chinese punctuation: a space next to it is never meaningful either.
CJK_PUNCT = "，。、；：？！“”‘’（）《》【】〈〉「」『』—…·％"
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_CJK_SPACE = re.compile(rf"(?<=[{CJK}{CJK_PUNCT}]) (?=[{CJK}{CJK_PUNCT}])")
# "本报讯 日前，…" / "本报6月12日讯（记者 王晓东）…": the space after the
# dateline is house style, keep it.
DATELINE = re.compile(r"^本报(?:\d{1,2}月\d{1,2}日)?讯(?:[（(][^）)]*[）)])?")

# A sentence ends with one of these, optionally followed by closing quotes or
# brackets.  A colon ends a paragraph too ("措施如下：" then a list).
_SENTENCE_END = re.compile(r"[。！？!?…；;：:][”’」』）)》】\"']*$")
# A line ending with one of these certainly goes on.
_CONTINUES = re.compile(r"[，,、（(“‘《〈「『—\-]$")
# A line starting with one of these is the tail of the line before.
_TAIL_START = re.compile(r"^[，,。.、；;：:？?！!）)》〉」』”’…%％]")

HEADING_MAX = 40   # a printed heading is never longer than this
REPEAT_MIN = 10    # shortest passage whose verbatim repeat counts as damage


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
    """Glue a line to its continuation; Chinese needs no space, words do."""
    if re.search(r"[A-Za-z0-9]$", first) and re.match(r"[A-Za-z0-9]", second):
        return f"{first} {second}"
    return first + second


def should_join(first: str, second: str) -> bool:
    """Does ``second`` continue the paragraph ``first`` was cut from?"""
    if DATELINE.match(second):
        return False        # 本报讯 always opens a new story
    if is_tail(second):
        return True
    if ends_sentence(first):
        return False
    if continues(first) or not heading_like(first):
        return True
    # A short unpunctuated line is a heading, unless what follows is a
    # scrap that ends the sentence ("…的通" / "道。"): no heading is followed
    # by a paragraph that short.
    return len(second) <= 8 and ends_sentence(second) and "，" not in second


def drop_adjacent_repeats(text: str, min_len: int = REPEAT_MIN) -> tuple[str, list[str]]:
    """Remove the second copy of a passage repeated back to back.

    Returns the text and the dropped passages (for the report).  A passage
    must be at least ``min_len`` characters with five different characters,
    so "哈哈哈…" or a run of digits is never touched.
    """
    dropped = []
    start = 0
    while start <= len(text) - 2 * min_len:
        found = _repeat_at(text, start, min_len)
        if found:
            # report the passage from a word, not from the full stop before it
            while text[start] in CJK_PUNCT + "。，" and _repeat_at(text, start + 1, min_len) == found:
                start += 1
            dropped.append(text[start:start + found])
            text = text[:start + found] + text[start + 2 * found:]
            continue  # the same place may hold a third copy
        start += 1
    return text, dropped


def _repeat_at(text: str, start: int, min_len: int) -> int:
    """Length L if text[start:start+L] is immediately repeated, else 0."""
    probe = text[start:start + min_len]
    at = text.find(probe, start + min_len)
    tries = 0
    while at != -1 and tries < 50:
        length = at - start
        if (text[start:at] == text[at:at + length]
                and len(set(text[start:at])) >= 5):
            return length
        if at + length > len(text):
            break
        at = text.find(probe, at + 1)
        tries += 1
    return 0


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
    for block in story.blocks:
        key = re.sub(r"\s+", "", block.text)
        if block.kind == "para" and key in seen and len(key) >= REPEAT_MIN:
            warnings.append(f"《{story.title}》删去了重复的段落：“{_short(block.text)}”")
            continue
        # the same caption twice in a row is one photo printed once
        if block.kind == "caption" and kept and kept[-1].kind == "caption" \
                and kept[-1].text == block.text and kept[-1].image == block.image:
            continue
        if block.kind == "para":
            seen.add(key)
        kept.append(block)
    story.blocks = kept
    return warnings


def _short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[:n] + "…"
