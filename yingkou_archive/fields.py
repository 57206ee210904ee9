"""Which metadata fields an article or page may carry, and what text may hold.

Pelican makes every metadata field an attribute of the article
(``pelican/contents.py``, ``Content.__init__``: ``setattr(self, key, value)``;
``url``/``save_as`` become ``override_url``/``override_save_as``), and many
of those attributes decide where and how it is written: ``Url`` is the link
every list, feed, sitemap and the search index use, ``Save_as`` the output
file (``Save_as: index.html`` replaces the home page), ``Template`` the
template, ``Lang``/``Translation`` a translation under another URL,
``Status`` whether it is listed, ``Path``/``Category``/``Date_format``/
``Timezone`` parts of URLs and dates, and any other name can overwrite an
attribute Pelican or a plugin sets (``settings``, ``metadata``, ``issue`` …).
So only the fields below are read; any other stops the build naming the
file.
"""

from __future__ import annotations

import re

from .errors import Problem
from .kinds import TAXONOMY_KINDS

# field (lower case) -> whether repeating it continues a list
ARTICLE_FIELDS = {
    "title": False, "date": False, "modified": False, "slug": False, "status": False,
    **{kind.name: True for kind in TAXONOMY_KINDS},
    "authors": True, "author": True, "source": False, "summary": False, "aliases": True,
    # the importer's: where the story was printed (plugins/archive_issues)
    "subtitle": False, "kicker": False, "page": False, "position": False,
    # the importer's bookkeeping: a story jumps to/from another page, and the
    # hash that tells an imported story from an edited one (digest/writer.py)
    "continued": False, "continued_from": False, "story_hash": False,
}
PAGE_FIELDS = {"title": False, "slug": False}
# Status values: published (the default), or draft (kept out of every list,
# feed, the sitemap and search, and not written).
STATUSES = ("published", "draft")

# Pelican metadata with a meaning of its own, read from pelican 4.12's
# contents.py, readers.py, generators.py and settings.py: what it would do.
PELICAN_FIELDS = {
    "url": "文章的网址", "save_as": "输出文件的位置", "template": "渲染用的模板",
    "lang": "语言（另一语言的文章写到别的网址）", "translation": "是否为翻译稿",
    "path": "网址中的路径", "category": "分类和它的网址", "tags": "标签和它的网址",
    "date_format": "日期格式", "timezone": "时区", "override_url": "文章的网址",
    "override_save_as": "输出文件的位置", "translations": "翻译稿列表",
    "in_default_lang": "语言", "locale_date": "显示的日期", "reader": "读取方式",
    "source_path": "源文件位置", "relative_source_path": "源文件位置",
    "settings": "站点设置", "metadata": "全部字段", "content": "正文",
}

# Characters XML 1.0 does not allow: the Atom feeds could not be written.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Invisible characters removed from every text field (titles above all):
# bidi controls reorder how a title reads ("Trojan Source"), zero-width
# ones split words for search and copy-and-paste.
_INVISIBLE = re.compile(r"[\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def field_label(key: str) -> str:
    return key[:1].upper() + key[1:]


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def without_invisible(value: str) -> str:
    return _INVISIBLE.sub("", value)


def field_problems(path: str, fields: dict[str, str], repeated: set[str],
                   allowed: dict[str, bool], required: tuple[str, ...]) -> list[Problem]:
    """Unknown, Pelican-owned, repeated and empty fields, and characters
    no field may hold (an empty required field has its own message)."""
    problems = []
    for key, value in fields.items():
        label = field_label(key)
        if key in PELICAN_FIELDS and key not in allowed:
            problems.append(Problem(path, f"不允许 {label} 字段：Pelican 会用它改变{PELICAN_FIELDS[key]}；"
                                          "网址、文件位置和模板由站点统一决定"))
            continue
        if key not in allowed:
            names = "、".join(field_label(k) for k in allowed)
            problems.append(Problem(path, f"未知字段 {label}（可用：{names}）"))
            continue
        if key in repeated and not allowed[key]:
            problems.append(Problem(path, f"{label} 写了不止一次；只保留一行"))
        if not value.strip() and key not in required:
            problems.append(Problem(path, f"{label} 为空：填写内容，或删掉这一行"))
        problems += text_problems(path, value, f"{label} 字段")
    if "status" in fields and fields["status"].strip().lower() not in STATUSES:
        problems.append(Problem(path, f"Status“{fields['status'].strip()}”无效：只能是 "
                                      + " 或 ".join(STATUSES)))
    return problems


def text_problems(path: str, text: str, where: str) -> list[Problem]:
    """Control characters: invisible, and not allowed in XML (the feeds)."""
    match = _CONTROL.search(text)
    if not match:
        return []
    line = text.count("\n", 0, match.start()) + 1
    at = f"第 {line} 行" if "\n" in text else ""
    return [Problem(path, f"{where}{at}含控制字符 {code_point(match.group())}；请删掉它")]
