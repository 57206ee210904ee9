"""The codes of a paper's sources and printed pages in URLs.

``辽宁日报·营口专版`` is ``lnrb-ykzb`` and ``第08版`` is ``p08`` in
``issues/2024/06/01/lnrb-ykzb-p08/``: the importer names its files with
them, the build its page views, the checks the URLs they expect.  A module
of its own so the build need not load the importer to make a URL.
"""

from __future__ import annotations

import functools
import re

from .vocabulary import pinyin_slug

_DATE_IN_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}|\d{8}")


@functools.lru_cache(maxsize=64)
def source_code(source: str) -> str:
    """Pinyin initials of the source: 辽宁日报·营口专版 -> lnrb-ykzb."""
    parts = []
    for chunk in re.split(r"[^0-9A-Za-z\u3400-\u9fff]+", source):
        if not chunk:
            continue
        from pypinyin import Style, lazy_pinyin  # only for a source with Han characters (0.4 s to load)

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
