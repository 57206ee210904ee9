"""What a parsed digest page looks like, before tagging and writing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ArchiveError
from ..figures import caption_without_credit
from .bylines import Credit

if TYPE_CHECKING:
    from .page_view import PageView


class DigestError(ArchiveError):
    """A page cannot be imported; the message names the file."""

    def __init__(self, path: str | Path, message: str):
        self.path = str(path)
        self.reason = message
        super().__init__(f"{path}: {message}")


@dataclass
class Image:
    """A photo found beside an e-paper page (``source`` may not exist)."""

    source: Path | None
    name: str


@dataclass
class Block:
    """One piece of a story body, in page order.

    kind is "para" (body paragraph), "heading" (a feature section, written
    as ``##``), "caption" (a photo caption, with ``image`` when the photo
    file was found) or "table" (``rows`` of cells, the first row the head).
    """

    kind: str
    text: str
    image: Image | None = None
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class LineNote:
    """Why one line of the page got its role (for --explain and the report)."""

    number: int
    role: str
    text: str
    reason: str


@dataclass
class Story:
    title: str
    position: int = 0
    subtitle: str = ""          # 副题, after "——" or the e-paper <h2>
    kicker: str = ""            # 引题, the e-paper line above the title
    summary: str = ""           # 核心提示
    authors: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)   # who, in which role
    continued_to: list[str] = field(default_factory=list)    # 下转第7版 -> 第07版
    continued_from: list[str] = field(default_factory=list)  # 上接第1版 -> 第01版
    lines: list[LineNote] = field(default_factory=list)      # the page lines it came from
    notes: list[str] = field(default_factory=list)           # how it was split, bylines …
    text_hash: str = ""         # writer.story_hash, once computed (the text no longer changes)

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "para"]

    def text_for_tagging(self) -> dict[str, str]:
        """The story's words by where they stand (title weighs more)."""
        body = [b.text for b in self.blocks if b.kind in ("para", "heading")]
        body += [" ".join(cell for row in b.rows for cell in row) for b in self.blocks if b.kind == "table"]
        captions = [caption_without_credit(b.text) for b in self.blocks if b.kind == "caption"]
        return {
            "title": " ".join(t for t in (self.kicker, self.title, self.subtitle) if t),
            "lead": "\n".join(([self.summary] if self.summary else []) + body[:1]),
            "body": "\n".join(body[1:] + captions),
        }


@dataclass
class Page:
    """One digest page: where it came from and its stories in page order."""

    path: Path
    kind: str                       # "text", "html" or "page_view"
    stories: list[Story]
    date: dt.date | None = None     # a date printed on the page itself
    label: str = ""                 # printed page label, e.g. "第08版"
    name: str = ""                  # 版名, e.g. "要闻"
    encoding: str = "utf-8"
    warnings: list[str] = field(default_factory=list)
    lines: list[LineNote] = field(default_factory=list)   # every line with its role
    view: PageView | None = None  # a 版面 page: its image, areas and articles
