"""The issue file: one day's printed pages of one paper, for the site.

``content/issues/YYYY/YYYY-MM-DD-<source code>.yml``::

    date: 2024-06-18
    source: 营口日报
    pages:                       # in printed order
      - label: 第01版            # the Page field of its articles
        name: 要闻               # 版名 (optional)
        image: images/issues/2024-06-18-ykrb/p01.jpg   # relative to content/
        pdf: files/issues/2024-06-18-ykrb/p01.pdf
        articles:                # in reading order on the page
          - file: articles/2024/06/<slug>.md
            region: [[x, y], [x, y], …]   # or [x1, y1, x2, y2], image pixels

The importer writes it when it imports 版面 pages, and on a later import
only adds what is missing (a page, an article, a field): a value already in
the file, typed by an editor or not, is never changed.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass
class IssueArticle:
    file: str
    region: list | None = None


@dataclass
class IssuePage:
    label: str
    name: str = ""
    image: str = ""
    pdf: str = ""
    articles: list[IssueArticle] = field(default_factory=list)

    def as_dict(self) -> dict:
        data: dict = {"label": self.label}
        for key in ("name", "image", "pdf"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        data["articles"] = [{"file": a.file, **({"region": a.region} if a.region else {})}
                            for a in self.articles]
        return data


def issue_path(content_dir: Path, date: dt.date, code: str) -> Path:
    return content_dir / "issues" / f"{date:%Y}" / f"{date:%Y-%m-%d}-{code}.yml"


def _label_order(label: str) -> tuple[int, str]:
    digits = "".join(c for c in label if c.isdigit())
    return (int(digits) if digits else 999, label)


def merge(existing: dict | None, date: dt.date, source: str, pages: list[IssuePage]) -> dict:
    """``existing`` with whatever ``pages`` adds; existing values stay as they are."""
    data = dict(existing or {})
    data.setdefault("date", date)
    data.setdefault("source", source)
    old_pages = data.get("pages") if isinstance(data.get("pages"), list) else []
    merged = [dict(p) for p in old_pages if isinstance(p, dict)]
    by_label = {p.get("label"): p for p in merged}
    for page in sorted(pages, key=lambda p: _label_order(p.label)):
        new = page.as_dict()
        old = by_label.get(page.label)
        if old is None:
            at = next((i for i, p in enumerate(merged)
                       if _label_order(str(p.get("label", ""))) > _label_order(page.label)), len(merged))
            merged.insert(at, new)
            by_label[page.label] = new
            continue
        for key in ("name", "image", "pdf"):
            if key in new and key not in old:
                old[key] = new[key]
        articles = old.get("articles") if isinstance(old.get("articles"), list) else []
        articles = [dict(a) for a in articles if isinstance(a, dict)]
        files = {a.get("file"): a for a in articles}
        for article in new["articles"]:
            have = files.get(article["file"])
            if have is None:
                articles.append(article)
            elif "region" in article and "region" not in have:
                have["region"] = article["region"]
        old["articles"] = articles
    data["pages"] = merged
    return data


class _Dumper(yaml.SafeDumper):
    """Coordinates on one line: [x, y] pairs and [x1, y1, x2, y2] rectangles."""


def _represent_list(dumper, value):
    flat = all(isinstance(v, (int, float)) for v in value)
    pairs = all(isinstance(v, list) and all(isinstance(n, (int, float)) for n in v) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value,
                                     flow_style=bool(value) and (flat or pairs))


_Dumper.add_representer(list, _represent_list)


def write_issue(content_dir: Path, date: dt.date, source: str, code: str,
                pages: list[IssuePage], dry_run: bool) -> tuple[Path, str]:
    """Write or extend the issue file; returns (path, "written"|"updated"|"unchanged")."""
    path = issue_path(content_dir, date, code)
    existing = None
    if path.exists():
        try:
            existing = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise OSError(f"{path}: 现有的版面文件无法读取（{exc}），未改动它") from None
        if existing is not None and not isinstance(existing, dict):
            raise OSError(f"{path}: 现有的版面文件格式不对，未改动它")
    data = merge(existing, date, source, pages)
    if existing is not None and data == existing:
        return path, "unchanged"
    if not dry_run:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                         default_flow_style=False, width=1000)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".issue-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return path, "updated" if existing is not None else "written"


def asset_name(label: str, suffix: str) -> str:
    """第01版 -> p01.jpg (the page's own letters and digits)."""
    code = "".join(c for c in label if c.isascii() and c.isalnum()).lower()
    return f"p{code or 'x'}{suffix.lower()}"
