"""Creating a new article file with complete metadata (``invoke new``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .article import BODY_PLACEHOLDER, split_list
from .errors import ArchiveError
from .kinds import TAXONOMY_KINDS
from .vocabulary import Vocabulary, pinyin_slug

# Enough pinyin syllables to recognise the story in a file list, short
# enough for a readable URL.
SLUG_SYLLABLES = 8


def _canonical(vocabulary: Vocabulary, kind, value: str) -> list[str]:
    names = []
    for name in split_list(value or ""):
        term = vocabulary.find(kind.name, name)
        if term is None and not kind.open_vocabulary:
            guess = vocabulary.suggest(kind.name, name)
            hint = f"，是不是“{guess}”？" if guess else ""
            allowed = "、".join(vocabulary.names(kind.name))
            raise ArchiveError(f"未知{kind.label}“{name}”{hint}（可用：{allowed}）")
        names.append(term.name if term else name)
    if kind.required and not names:
        raise ArchiveError(f"至少需要一个{kind.label}")
    return names


def article_file_slug(title: str, date: dt.date) -> str:
    words = pinyin_slug(title).split("-")[:SLUG_SYLLABLES]
    return f"{date:%Y-%m-%d}-" + "-".join(w for w in words if w)


def new_article(content_dir: Path, vocabulary: Vocabulary, title: str, terms: dict[str, str],
                date: dt.date | None = None, authors: str = "", source: str = "") -> Path:
    """Write a new article skeleton and return its path; never overwrites.

    ``terms``: kind name -> the names typed for it (e.g. "营商环境、港口物流").
    """
    title = title.strip()
    if not title:
        raise ArchiveError("标题不能为空")
    date = date or dt.date.today()
    chosen = {kind: _canonical(vocabulary, kind, terms.get(kind.name, "")) for kind in TAXONOMY_KINDS}
    folder = content_dir / "articles" / f"{date:%Y}" / f"{date:%m}"
    stem = article_file_slug(title, date)
    path = folder / f"{stem}.md"
    number = 2
    while path.exists():
        path = folder / f"{stem}-{number}.md"
        number += 1
    lines = [
        f"Title: {title}",
        f"Date: {date:%Y-%m-%d}",
    ]
    lines += [f"{kind.field}: {'、'.join(names)}" for kind, names in chosen.items() if names]
    if authors:
        lines.append(f"Authors: {authors}")
    if source:
        lines.append(f"Source: {source}")
    # No Summary line (the first paragraph is the default), and a body that
    # check and the build refuse until the editor replaces it.
    lines += ["", f"本报讯 {BODY_PLACEHOLDER}", ""]
    folder.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite
        handle.write("\n".join(lines))
    return path
