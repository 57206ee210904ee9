"""Reading and validating one article file.

An article is a Markdown file with Pelican's metadata block on top::

    Title: 签订战略合作框架协议 共同守护生态
    Date: 2023-04-07
    Topic: 生态环境
    District: 营口市

    正文……

The build (through the Pelican reader plugin), ``invoke check`` and the
importer all go through :func:`read_article`, so they agree on every rule.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem
from .fields import (
    ARTICLE_FIELDS,
    PAGE_FIELDS,
    field_label,
    field_problems,
    text_problems,
    without_invisible,
)
from .kinds import BY_NAME, KIND_LABELS, TAXONOMY_KINDS
from .sanitize import first_lost, visible_text
from .vocabulary import SLUG_RE, Vocabulary, pinyin_slug

# The metadata block follows Python-Markdown's "meta" extension: "Key: value"
# lines, continuation lines indented four spaces, ended by a blank line.
_META_LINE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)$")
_META_MORE = re.compile(r"^[ ]{4,}(?P<value>.*)$")
_FENCE = re.compile(r"^-{3}\s*$")

# Editors type lists with Chinese punctuation as often as with commas.
_LIST_SEPARATORS = re.compile(r"[,，、;；]")
MIN_YEAR = 1000
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
# Only real tags: a title may contain a bare "<" (e.g. "PM2.5<35").
_TAG = re.compile(r"</?[A-Za-z][^>]*>|<!--.*?-->", re.S)
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.I | re.S)

# What `invoke new` writes as the body: an article still holding it is not
# ready to publish.
BODY_PLACEHOLDER = "（在这里写正文。）"
# Fields shown as they are on the article page (the importer writes them).
DISPLAY_FIELDS = ("subtitle", "kicker", "page", "position")


@dataclass
class ArticleSource:
    """The raw parts of a file: metadata fields (lower-case keys) and body."""

    fields: dict[str, str]
    body: str
    # single-valued fields written more than once (an error, not a join)
    repeated: set[str] = field(default_factory=set)


@dataclass
class ArticleMeta:
    """An article's validated metadata, terms in their canonical names."""

    path: str
    title: str
    date: dt.datetime
    slug: str
    # kind name (yingkou_archive/kinds.py) -> canonical term names
    terms: dict[str, list[str]]
    authors: list[str] = field(default_factory=list)
    source: str = ""
    summary: str = ""
    # old URLs of this article (after a slug change); they redirect here
    aliases: list[str] = field(default_factory=list)
    status: str = "published"
    modified: dt.datetime | None = None
    # DISPLAY_FIELDS given, as plain text
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class ReadResult:
    meta: ArticleMeta | None
    source: ArticleSource | None
    problems: list[Problem]
    warnings: list[Problem]


def split_list(value: str) -> list[str]:
    """Split a list field on , ， 、 ; ； and drop blanks and repeats."""
    items = (item.strip() for item in _LIST_SEPARATORS.split(value or ""))
    return list(dict.fromkeys(item for item in items if item))


def plain_text(value: str) -> str:
    """Metadata shown as text (titles, captions): no markup survives, nor
    invisible characters (bidi controls, zero-width spaces)."""
    text = html.unescape(_TAG.sub("", _SCRIPT_OR_STYLE.sub("", value)))
    # a second pass removes tags that were entity-escaped in the source
    text = _TAG.sub("", _SCRIPT_OR_STYLE.sub("", text))
    return re.sub(r"\s+", " ", without_invisible(text)).strip()


def dropped_text(value: str) -> str:
    """Visible text that plain_text drops with an unclosed <script>/<style>
    tag.  (Tags written entity-escaped are removed on purpose, see above.)"""
    first_pass = html.unescape(_TAG.sub("", _SCRIPT_OR_STYLE.sub("", value)))
    return first_lost(visible_text(value), re.sub(r"\s+", "", first_pass))


def decode(raw: bytes, path: str) -> tuple[str | None, list[Problem]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = ""
        try:
            raw.decode("gb18030")
            hint = "，看起来是 GBK/GB2312 编码，请另存为 UTF-8"
        except UnicodeDecodeError:
            pass
        return None, [Problem(path, f"不是有效的 UTF-8 文本（第 {exc.start} 字节）{hint}")]
    if not text.strip():
        return None, [Problem(path, "文件为空")]
    return text, []


def parse_source(text: str) -> ArticleSource:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    fenced = bool(lines) and _FENCE.match(lines[0]) is not None
    if fenced:
        i = 1
    fields: dict[str, str] = {}
    repeated: set[str] = set()
    key = None
    while i < len(lines):
        line = lines[i]
        if fenced and _FENCE.match(line):
            i += 1
            break
        if not line.strip():
            break
        match = _META_LINE.match(line)
        if match:
            key = match["key"].lower()
            value = match["value"].strip()
            if key in fields:
                repeated.add(key)
            # a repeated list field continues the list, as in Python-Markdown
            fields[key] = f"{fields[key]}, {value}" if key in fields else value
        elif key and _META_MORE.match(line):
            fields[key] = f"{fields[key]} {line.strip()}".strip()
        else:
            break
        i += 1
    if not fields:
        return ArticleSource(fields={}, body=text)
    return ArticleSource(fields=fields, body="\n".join(lines[i:]).lstrip("\n"), repeated=repeated)


_ALIAS = re.compile(r"^[A-Za-z0-9_./-]+$")


def normalise_alias(value: str) -> tuple[str, str | None]:
    """An old URL as a site path ending in "/", e.g. ``2023/04/old-slug/``."""
    url = value.strip().lstrip("/")
    if url.endswith("index.html"):
        url = url[: -len("index.html")]
    if not url or not _ALIAS.match(url) or ".." in url.split("/"):
        return url, f"Aliases 中的旧网址“{value}”无效：应写成站内路径，例如 2023/04/old-slug/"
    return url.rstrip("/") + "/", None


def parse_date(value: str) -> tuple[dt.datetime | None, str | None]:
    match = _DATE.match(value.strip())
    if not match:
        return None, f"日期“{value}”格式不对，应写成 YYYY-MM-DD，例如 2023-04-07"
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    if year < MIN_YEAR:
        # strftime's %Y does not pad years below 1000 ("1/01/slug/"): the
        # URL, the year archive and the search index all assume four digits
        return None, f"日期“{value}”无效：年份应为 {MIN_YEAR}–9999"
    if not 1 <= month <= 12:
        return None, f"日期“{value}”无效：月份应为 1–12"
    try:
        return dt.datetime(year, month, day, hour, minute, second), None
    except ValueError:
        return None, f"日期“{value}”无效：{year} 年 {month} 月没有 {day} 日"


def _resolve_terms(kind, value, vocabulary, path, problems, warnings):
    names = []
    for name in split_list(value):
        term = vocabulary.find(kind, name)
        if term is None and BY_NAME[kind].open_vocabulary and not pinyin_slug(name):
            # no letters, digits or hanzi: no URL for its page (and an empty
            # one would be the overview page's)
            problems.append(Problem(path, f"{KIND_LABELS[kind]}“{name}”无法生成网址：名称里没有汉字、"
                                          "字母或数字；请写部门的全称"))
            continue
        if term is None and BY_NAME[kind].open_vocabulary:
            label = KIND_LABELS[kind]
            warnings.append(
                Problem(path, f"{label}“{name}”不在词表中（仍会生成{label}页，请补进 taxonomy.yml）")
            )
            term = vocabulary.add_unlisted(kind, name)
        if term is None:
            allowed = "、".join(vocabulary.names(kind))
            guess = vocabulary.suggest(kind, name)
            hint = f"；是不是“{guess}”？" if guess else ""
            problems.append(
                Problem(path, f"未知{KIND_LABELS[kind]}“{name}”{hint}（可用：{allowed}）")
            )
            continue
        if term.name not in names:
            names.append(term.name)
    return names


def article_slug(fields: dict[str, str], path: str) -> tuple[str, str | None]:
    """The URL slug: the Slug field, else the file name (made ASCII)."""
    given = fields.get("slug", "").strip()
    if given:
        if not SLUG_RE.match(given):
            return given, f"Slug“{given}”无效：只能用小写字母、数字和连字符"
        return given, None
    stem = Path(path).stem.lower()
    if SLUG_RE.match(stem):
        return stem, None
    return pinyin_slug(stem) or "article", None


REQUIRED = ("title", "date", *(kind.name for kind in TAXONOMY_KINDS if kind.required))


def _title(path: str, fields: dict[str, str], problems: list[Problem]) -> str:
    title = plain_text(fields.get("title", ""))
    if "title" not in fields:
        problems.append(Problem(path, "缺少 Title（标题）"))
    elif not title:
        problems.append(Problem(path, "Title（标题）为空"))
    return title


# Fields shown as plain text (plain_text): markup in them is removed.
TEXT_FIELDS = ("title", "subtitle", "kicker", "summary", "source", "authors", "author")


def _dropped_field_text(path: str, fields: dict[str, str]) -> list[Problem]:
    """A "<script>" typed in a title takes the rest of it with it: say so."""
    problems = []
    for key in TEXT_FIELDS:
        lost = dropped_text(fields.get(key, ""))
        if lost:
            problems.append(Problem(path, f"{field_label(key)} 中“{lost}…”会被当作 HTML 删掉；"
                                          "要显示尖括号请写全角“＜＞”"))
    return problems


def _dates(path: str, fields: dict[str, str], problems: list[Problem]):
    date = modified = None
    if not fields.get("date", "").strip():
        problems.append(Problem(path, "缺少 Date（日期），应写成 YYYY-MM-DD"))
    else:
        date, message = parse_date(fields["date"])
        if message:
            problems.append(Problem(path, message))
    if fields.get("modified", "").strip():
        modified, message = parse_date(fields["modified"])
        if message:
            problems.append(Problem(path, f"Modified：{message}"))
    return date, modified


def body_problems(path: str, body: str) -> list[Problem]:
    """An empty body, the placeholder `invoke new` writes, control characters."""
    if not body.strip():
        return [Problem(path, "正文为空")]
    problems = text_problems(path, body, "正文")
    if BODY_PLACEHOLDER.strip("（）。") in body:
        problems.append(Problem(path, f"正文还是占位文字“{BODY_PLACEHOLDER}”：请写好正文再发布"))
    return problems


def validate(path: str, source: ArticleSource, vocabulary: Vocabulary) -> ReadResult:
    fields = source.fields
    problems = field_problems(path, fields, source.repeated, ARTICLE_FIELDS, REQUIRED)
    warnings: list[Problem] = []
    title = _title(path, fields, problems)
    problems += _dropped_field_text(path, fields)
    date, modified = _dates(path, fields, problems)

    terms = {}
    for kind in TAXONOMY_KINDS:
        value = fields.get(kind.name, "")
        if kind.required and not split_list(value):
            allowed = "、".join(vocabulary.names(kind.name))
            problems.append(Problem(path, f"缺少 {kind.field}（{kind.label}），可用：{allowed}"))
            terms[kind.name] = []
        else:
            terms[kind.name] = _resolve_terms(kind.name, value, vocabulary, path, problems, warnings)

    slug, message = article_slug(fields, path)
    if message:
        problems.append(Problem(path, message))
    problems += body_problems(path, source.body)

    aliases = []
    for alias in split_list(fields.get("aliases", "")):
        url, message = normalise_alias(alias)
        if message:
            problems.append(Problem(path, message))
        else:
            aliases.append(url)
    if problems:
        return ReadResult(None, source, problems, warnings)
    meta = ArticleMeta(
        path=path,
        title=title,
        date=date,
        slug=slug,
        terms=terms,
        authors=split_list(plain_text(fields.get("authors", fields.get("author", "")))),
        source=plain_text(fields.get("source", "")),
        summary=fields.get("summary", "").strip(),
        aliases=aliases,
        status=fields.get("status", "published").strip().lower(),
        modified=modified,
        extra={k: plain_text(fields[k]) for k in DISPLAY_FIELDS if k in fields},
    )
    return ReadResult(meta, source, problems, warnings)


@dataclass
class PageMeta:
    path: str
    title: str
    slug: str


def validate_page(path: str, source: ArticleSource) -> tuple[PageMeta | None, list[Problem]]:
    """Pages (about, …): a title, an optional slug, a body; nothing else."""
    fields = source.fields
    problems = field_problems(path, fields, source.repeated, PAGE_FIELDS, ("title",))
    title = _title(path, fields, problems)
    problems += _dropped_field_text(path, {"title": fields.get("title", "")})
    slug, message = article_slug(fields, path)
    if message:
        problems.append(Problem(path, message))
    problems += body_problems(path, source.body)
    if problems:
        return None, problems
    return PageMeta(path, title, slug), []


def read_page(raw: bytes, path: str) -> tuple[PageMeta | None, ArticleSource | None, list[Problem]]:
    text, problems = decode(raw, path)
    if text is None:
        return None, None, problems
    source = parse_source(text)
    meta, problems = validate_page(path, source)
    return meta, source, problems


def read_article(raw: bytes, path: str, vocabulary: Vocabulary) -> ReadResult:
    """Decode, parse and validate one article file's bytes."""
    text, problems = decode(raw, path)
    if text is None:
        return ReadResult(None, None, problems, [])
    return validate(path, parse_source(text), vocabulary)
