"""What a parsed digest page looks like, before tagging and writing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ArchiveError
from ..figures import caption_without_credit


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
    as ``##``) or "caption" (a photo caption, with ``image`` when the photo
    file was found).
    """

    kind: str
    text: str
    image: Image | None = None


@dataclass
class Story:
    title: str
    position: int = 0
    subtitle: str = ""          # 副题, after "——" or the e-paper <h2>
    kicker: str = ""            # 引题, the e-paper line above the title
    summary: str = ""           # 核心提示
    authors: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "para"]

    def text_for_tagging(self) -> dict[str, str]:
        """The story's words by where they stand (title weighs more)."""
        body = [b.text for b in self.blocks if b.kind in ("para", "heading")]
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
    kind: str                       # "text" or "html"
    stories: list[Story]
    date: dt.date | None = None     # a date printed on the page itself
    label: str = ""                 # printed page label, e.g. "第08版"
    encoding: str = "utf-8"
    warnings: list[str] = field(default_factory=list)
