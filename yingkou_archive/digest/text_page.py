"""Reading a digest page dumped as plain text.

The page is read in four steps (see :mod:`.roles` and :mod:`.segment`):

1. each line gets the role it has on its own: page furniture (masthead,
   page number, 版名, editor lines, copyright and ICP lines), credits, jump
   lines, bylines, datelines, captions, subtitles, table rows;
2. broken paragraphs are re-joined;
3. every short unpunctuated line gets its role from what follows it
   (headline, kicker, column header, table title or section heading);
4. the lines are read top to bottom into stories.

The page's own date, label (第06版) and name (版名) come from its masthead.
"""

from __future__ import annotations

from pathlib import Path

from . import roles, segment
from .model import DigestError, Page


def parse_text_page(text: str, path: Path) -> Page:
    lines = roles.read_lines(text)
    facts = roles.PageFacts()
    roles.classify(lines, facts)
    lines = segment.rejoin(lines)
    segment.decide_headings(lines)
    page = Page(path=path, kind="text", stories=[], date=facts.date, label=facts.label,
                name=facts.name, warnings=list(facts.warnings))
    page.stories = segment.assemble(lines, page)
    if not page.stories:
        raise DigestError(path, "无法识别的版面：找不到任何标题和正文（不是文字版面？）")
    return page
